namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>
/// Lists the images of the "one folder per class" layout (<c>root/&lt;class&gt;/**/&lt;image&gt;</c>): each immediate
/// sub-folder of the root is a class named after the folder; its image files (searched recursively) are the examples.
/// </summary>
internal static class ImageFolderScanner
{
    /// <summary>File extensions (lower case) that ML.NET's LoadImages decodes.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>
    /// Returns (absolute path, class folder name) for every image, in ordinal order of class and then path, so that the
    /// row order does not depend on the file system. Absolute paths make a pipeline fitted on one folder score another.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The root folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class folder contains an image.</exception>
    public static IReadOnlyList<(string ImagePath, string Label)> Scan(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        }

        string fullRoot = Path.GetFullPath(root);
        var rows = new List<(string, string)>();
        foreach (string classFolder in Directory.EnumerateDirectories(fullRoot).Order(StringComparer.Ordinal))
        {
            string label = Path.GetFileName(classFolder);
            var images = Directory.EnumerateFiles(classFolder, "*", SearchOption.AllDirectories)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .Select(Path.GetFullPath)
                .Order(StringComparer.Ordinal);
            rows.AddRange(images.Select(path => (path, label)));
        }

        if (rows.Count == 0)
        {
            throw new InvalidDataException(
                $"Image folder '{root}' has no images in class sub-folders: expected '{root}/<class name>/<image>' with extensions {string.Join(", ", ImageExtensions.Order(StringComparer.Ordinal))}.");
        }

        return rows;
    }
}
