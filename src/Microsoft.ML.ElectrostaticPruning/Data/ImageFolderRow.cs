namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>One row of <c>LoadFromImageFolder</c>: an image path relative to the root and its class name.</summary>
internal sealed class ImageFolderRow
{
    /// <summary>Path relative to the root folder, '/'-separated (pass the root as LoadImages' image folder).</summary>
    public string ImagePath { get; set; } = string.Empty;

    /// <summary>Class name (the name of the class sub-folder).</summary>
    public string Label { get; set; } = string.Empty;
}
