namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>One row of <c>LoadFromImageFolder</c>: an absolute image path and its class name.</summary>
internal sealed class ImageFolderRow
{
    /// <summary>Absolute path of the image file (give LoadImages no image folder: <c>imageFolder: null</c>).</summary>
    public string ImagePath { get; set; } = string.Empty;

    /// <summary>Class name (the name of the class sub-folder).</summary>
    public string Label { get; set; } = string.Empty;
}
