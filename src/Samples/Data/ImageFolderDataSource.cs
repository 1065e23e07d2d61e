namespace ElectrostaticPruning.Samples.Data;

/// <summary>
/// A folder-per-class image tree: either <c>root/class/*.png</c> (one split) or <c>root/train/class/*</c> and
/// <c>root/test/class/*</c> (two splits).
/// </summary>
internal sealed record ImageFolderDataSource(string Root, string TrainFolder, string? TestFolder, IReadOnlyList<string> ClassNames)
    : DataSource(Root)
{
    /// <summary>File extensions that count as images (what ML.NET's LoadImages decodes).</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <inheritdoc/>
    public override string FormatName => "image folders";

    /// <inheritdoc/>
    public override bool HasTestSplit => TestFolder is not null;
}
