namespace ElectrostaticPruning.Samples.Infrastructure;

/// <summary>Finds the repository root (the folder holding ElectrostaticPruning.sln) and the embedded data set.</summary>
internal static class RepositoryLocator
{
    /// <summary>The solution file that marks the repository root.</summary>
    public const string SolutionFileName = "ElectrostaticPruning.sln";

    /// <summary>The embedded Fashion-MNIST subset, relative to the repository root.</summary>
    public static readonly string EmbeddedDataRelativePath = Path.Combine("data", "fashion-mnist");

    /// <summary>
    /// Walks up from each start folder (default: the current directory, then the application folder) and returns the
    /// first folder that contains <see cref="SolutionFileName"/>, or <see langword="null"/> when none does.
    /// </summary>
    public static string? FindRepositoryRoot(IEnumerable<string>? startFolders = null)
    {
        startFolders ??= [Directory.GetCurrentDirectory(), AppContext.BaseDirectory];
        foreach (var start in startFolders)
        {
            for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, SolutionFileName)))
                {
                    return folder.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>The embedded Fashion-MNIST subset, or an exception that says how to point at data instead.</summary>
    public static string FindEmbeddedData(IEnumerable<string>? startFolders = null)
    {
        var root = FindRepositoryRoot(startFolders)
            ?? throw new DirectoryNotFoundException(
                $"Cannot find the repository root ({SolutionFileName}) above the current folder or the application folder; pass --data <folder> instead.");
        var data = Path.Combine(root, EmbeddedDataRelativePath);
        if (!Directory.Exists(data))
        {
            throw new DirectoryNotFoundException($"The embedded data set is missing: '{data}'. Pass --data <folder> instead.");
        }

        return data;
    }
}
