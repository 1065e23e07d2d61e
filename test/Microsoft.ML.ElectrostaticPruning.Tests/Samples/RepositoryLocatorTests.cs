using ElectrostaticPruning.Samples.Infrastructure;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class RepositoryLocatorTests
{
    [Fact]
    public void TheRootIsFoundFromANestedFolder()
    {
        using var folder = new TempFolder();
        folder.File(RepositoryLocator.SolutionFileName);
        var nested = Directory.CreateDirectory(Path.Combine(folder.Path, "src", "Samples", "bin")).FullName;

        Assert.Equal(folder.Path, RepositoryLocator.FindRepositoryRoot([nested]));
    }

    [Fact]
    public void NoRootAboveAFolderGivesNullAndAHelpfulDataError()
    {
        using var folder = new TempFolder();

        Assert.Null(RepositoryLocator.FindRepositoryRoot([folder.Path]));
        var error = Assert.Throws<DirectoryNotFoundException>(() => RepositoryLocator.FindEmbeddedData([folder.Path]));
        Assert.Contains("--data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheEmbeddedDataIsFoundFromTheTestOutputFolder()
    {
        var data = RepositoryLocator.FindEmbeddedData([AppContext.BaseDirectory]);

        Assert.True(File.Exists(Path.Combine(data, "train-images-idx3-ubyte.gz")));
    }
}
