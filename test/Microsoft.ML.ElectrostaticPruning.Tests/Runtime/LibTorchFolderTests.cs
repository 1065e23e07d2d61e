using Microsoft.ML.ElectrostaticPruning.Runtime;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

/// <summary>
/// The checks <see cref="LibTorch.UseFolder"/> makes before it loads anything. This process has loaded its own libtorch
/// already, so every call here must fail before loading (a second libtorch would abort the test run); loading from a
/// folder is tested in a fresh process (<see cref="LibTorchFolderProcessTests"/>).
/// </summary>
public sealed class LibTorchFolderTests
{
    [Fact]
    public void TheExpectedVersionIsTheOneTorchSharpIsBuiltAgainst()
    {
        Assert.True(LibTorchFolder.Matches(torch.__version__, LibTorch.ExpectedVersion), $"torch.__version__ is {torch.__version__}, LibTorch.ExpectedVersion {LibTorch.ExpectedVersion}.");
    }

    [Theory]
    [InlineData("2.10.0", true)]
    [InlineData("2.10.1+cu128", true)]
    [InlineData("2.10", true)]
    [InlineData("2.1.0", false)]
    [InlineData("2.9.1", false)]
    [InlineData("2.11.0+cu130", false)]
    [InlineData("unknown", false)]
    public void VersionsMatchOnMajorAndMinor(string version, bool matches)
    {
        Assert.Equal(matches, LibTorchFolder.Matches(version, "2.10"));
    }

    [Fact]
    public void TheRestoredPackageStatesItsVersionAndExportsEverySymbolLibTorchSharpNeeds()
    {
        var package = LibTorchFolders.RestoredPackage();

        var folder = LibTorch.Check(package, "test", LibTorchFolders.TestLibTorchSharp());

        Assert.Equal("2.10.0", folder.Version);
        Assert.EndsWith("libtorch-cpu-linux-x64.nuspec", folder.VersionSource);
        Assert.False(folder.HasCuda);
        Assert.Equal(["libc10.so", "libtorch_cpu.so", "libtorch.so"], folder.LoadOrder.Select(Path.GetFileName));
        var (missing, required) = folder.MissingSymbols(LibTorchFolders.TestLibTorchSharp());
        Assert.Empty(missing);
        Assert.True(required > 1000, $"libLibTorchSharp.so needs only {required} libtorch symbols?");
    }

    [Fact]
    public void AnOlderLibtorchDownloadIsRejectedNamingTheFolderAndBothVersions()
    {
        using var root = new TempFolder();
        var lib = LibTorchFolders.Fake(root, "libtorch/lib");
        File.WriteAllText(root.File("libtorch/build-version"), "2.9.0+cpu\n");

        var error = Assert.Throws<InvalidOperationException>(() => LibTorch.UseFolder(lib));

        Assert.StartsWith($"LibTorch.UseFolder(\"{lib}\"): the libtorch in '{lib}' is version 2.9.0+cpu (stated in {root.File("libtorch/build-version")}), but TorchSharp 0.107 needs libtorch 2.10.x", error.Message);
        Assert.Null(LibTorch.Folder);
    }

    [Fact]
    public void APyTorchInstallOfAnotherReleaseIsRejectedWithItsVersionPyVersion()
    {
        using var root = new TempFolder();
        var lib = LibTorchFolders.Fake(root, "site-packages/torch/lib");
        File.WriteAllText(root.File("site-packages/torch/version.py"), "from typing import Optional\n\n__all__ = ['__version__']\n__version__ = '2.11.0+cu130'\ncuda: Optional[str] = '13.0'\n");

        var error = Assert.Throws<InvalidOperationException>(() => LibTorch.UseFolder(lib));

        Assert.Contains("is version 2.11.0+cu130 (stated in ", error.Message);
        Assert.Contains("needs libtorch 2.10.x", error.Message);
        Assert.Contains("It does export all", error.Message);
    }

    [Fact]
    public void ALibtorchWithoutVersionFileIsCheckedByItsSymbolsAndTheMissingOnesAreListed()
    {
        using var root = new TempFolder();

        // "libtorch_cpu.so" is really libc10.so: the ATen and torch:: symbols are missing.
        var lib = LibTorchFolders.Fake(root, "lib", cpuTarget: "libc10.so");
        var error = Assert.Throws<InvalidOperationException>(() => LibTorch.UseFolder(lib));

        Assert.Contains($"the libtorch in '{lib}' (no version file found) is not the libtorch 2.10.x that TorchSharp 0.107 needs. It lacks ", error.Message);
        Assert.Matches(@"lacks \d+ of the \d+ libtorch symbols that .*libLibTorchSharp\.so needs, e\.g\. _Z\w+, _Z\w+, _Z\w+\.", error.Message);
    }

    [Fact]
    public void AMissingFolderIsNamed()
    {
        using var root = new TempFolder();
        var missing = root.File("no-such-folder");

        var error = Assert.Throws<DirectoryNotFoundException>(() => LibTorch.UseFolder(missing));

        Assert.StartsWith($"LibTorch.UseFolder(\"{missing}\"): the folder '{missing}' does not exist.", error.Message);
    }

    [Fact]
    public void AFolderWithoutLibtorchSaysWhichFolderToPointAt()
    {
        using var root = new TempFolder();

        var error = Assert.Throws<FileNotFoundException>(() => LibTorch.UseFolder(root.Path));

        Assert.Contains($"the folder '{root.Path}' holds no libc10.so, libtorch_cpu.so, libtorch.so", error.Message);
        Assert.Contains("torch/lib in a PyTorch install", error.Message);
    }

    [Fact]
    public void AFolderCannotBeChosenAfterTorchSharpHasLoadedItsOwnLibtorch()
    {
        _ = torch.get_num_threads();
        var package = LibTorchFolders.RestoredPackage();

        var error = Assert.Throws<InvalidOperationException>(() => LibTorch.UseFolder(package));

        Assert.Contains($"libtorch is already loaded from '{Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native")}'", error.Message);
        Assert.Contains("TorchSharp was used before the folder was chosen", error.Message);
        Assert.Null(LibTorch.Folder);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"), LibTorch.LoadedFrom);
        Assert.StartsWith("libtorch from ", LibTorch.Description);
    }

    [Fact]
    public void AFileThatIsNotElfIsRejectedByTheSymbolReader()
    {
        using var root = new TempFolder();
        File.WriteAllText(root.File("libtorch_cpu.so"), "INPUT(-ltorch)");

        Assert.Throws<InvalidDataException>(() => ElfDynamicSymbols.Read(root.File("libtorch_cpu.so")));
    }
}
