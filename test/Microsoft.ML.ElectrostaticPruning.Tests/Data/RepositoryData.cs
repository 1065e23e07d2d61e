namespace Microsoft.ML.ElectrostaticPruning.Tests.Data;

/// <summary>Locates the Fashion-MNIST subset embedded in the repository (data/fashion-mnist).</summary>
internal static class RepositoryData
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "fashion-mnist");
            if (File.Exists(Path.Combine(candidate, "t10k-images-idx3-ubyte.gz")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"data/fashion-mnist not found above {AppContext.BaseDirectory}.");
    });

    /// <summary>The folder holding the embedded IDX files.</summary>
    public static string FashionMnistFolder => Folder.Value;

    /// <summary>Embedded 2,000-image test split (200 per class).</summary>
    public static string TestImages => Path.Combine(FashionMnistFolder, "t10k-images-idx3-ubyte.gz");

    /// <summary>Labels of <see cref="TestImages"/>.</summary>
    public static string TestLabels => Path.Combine(FashionMnistFolder, "t10k-labels-idx1-ubyte.gz");

    /// <summary>Embedded 6,000-image training split (600 per class).</summary>
    public static string TrainImages => Path.Combine(FashionMnistFolder, "train-images-idx3-ubyte.gz");

    /// <summary>Labels of <see cref="TrainImages"/>.</summary>
    public static string TrainLabels => Path.Combine(FashionMnistFolder, "train-labels-idx1-ubyte.gz");
}
