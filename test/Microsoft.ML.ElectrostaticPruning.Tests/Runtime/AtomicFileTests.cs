using Microsoft.ML.ElectrostaticPruning.Runtime;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

public sealed class AtomicFileTests
{
    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "results.md");
        AtomicFile.WriteText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(1);
            throw new InvalidOperationException("disk full");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["results.md"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AWriteReplacesTheFileAndCreatesMissingFolders()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "a", "b", "results.md");

        AtomicFile.WriteText(path, "first");
        AtomicFile.WriteText(path, "second");

        Assert.Equal("second", File.ReadAllText(path));
    }
}
