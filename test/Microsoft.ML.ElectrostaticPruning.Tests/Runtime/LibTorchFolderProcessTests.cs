using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

/// <summary>
/// <see cref="LibTorch.FolderVariable"/> end to end, in fresh processes: the folder must be applied before TorchSharp loads
/// libtorch, which this test process did long ago. test/Microsoft.ML.ElectrostaticPruning.LibTorchCheck is an application
/// built without libtorch (BundleLibTorch=false); src/Samples carries its own.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LibTorchFolderProcessTests
{
    private const string CheckFolder = "test/Microsoft.ML.ElectrostaticPruning.LibTorchCheck";
    private const string CheckName = "Microsoft.ML.ElectrostaticPruning.LibTorchCheck";

    [Fact]
    public void AnApplicationWithoutLibtorchTrainsAndScoresOnTheLibtorchOfTheFolderTheVariableNames()
    {
        var package = LibTorchFolders.RestoredPackage();
        var check = BuiltProgram.Locate(CheckFolder, CheckName);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(check)!, "runtimes", "linux-x64", "native", "libtorch_cpu.so")), "LibTorchCheck was built with its own libtorch.");

        var (exitCode, stdout, stderr) = BuiltProgram.Run(check, [], LibTorch.FolderVariable, package);

        Assert.True(exitCode == 0, $"LibTorchCheck exited with {exitCode}:\n{stderr}\n{stdout}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t', 2)).ToList();
        string Value(string key) => Assert.Single(lines, line => line[0] == key)[1];
        Assert.Equal(package, Value("folder"));
        Assert.Equal("2.10.0", Value("version"));
        Assert.Equal(package, Value("loaded-from"));
        Assert.Equal("False", Value("cuda"));
        double accuracy = double.Parse(Value("accuracy"), CultureInfo.InvariantCulture);
        Assert.InRange(accuracy, 0, 1);

        // /proc/self/maps of the child: libc10, libtorch_cpu and libtorch from the folder, nothing of libtorch from
        // anywhere else; libLibTorchSharp.so is the application's own.
        var mapped = lines.Where(line => line[0] == "mapped").Select(line => line[1]).ToList();
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            Assert.Equal(Path.Combine(package, name), Assert.Single(mapped, path => Path.GetFileName(path) == name));
        }

        Assert.All(mapped.Where(path => Path.GetFileName(path) != "libLibTorchSharp.so"), path => Assert.StartsWith(package + "/", path));
        Assert.Equal(Path.Combine(Path.GetDirectoryName(check)!, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Assert.Single(mapped, path => path.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal)));
    }

    [Fact]
    public void AFolderOfSymbolicLinksWithoutVersionFileIsAcceptedByItsSymbolsAndLoadsTheFilesTheyPointTo()
    {
        using var root = new TempFolder();
        var lib = LibTorchFolders.Fake(root, "lib");
        var package = LibTorchFolders.RestoredPackage();

        var (exitCode, stdout, stderr) = BuiltProgram.Run(BuiltProgram.Locate(CheckFolder, CheckName), ["--no-training"], LibTorch.FolderVariable, lib);

        Assert.True(exitCode == 0, $"LibTorchCheck exited with {exitCode}:\n{stderr}\n{stdout}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t', 2)).ToList();
        Assert.Equal(lib, Assert.Single(lines, line => line[0] == "folder")[1]);
        Assert.Equal(string.Empty, Assert.Single(lines, line => line[0] == "version")[1]);
        Assert.Equal(package, Assert.Single(lines, line => line[0] == "loaded-from")[1]);
    }

    [Fact]
    public void AVariableThatNamesAMissingFolderFailsNamingTheVariable()
    {
        using var root = new TempFolder();
        var missing = root.File("torch/lib");

        var (exitCode, stdout, stderr) = BuiltProgram.Run(BuiltProgram.Locate(CheckFolder, CheckName), [], LibTorch.FolderVariable, missing);

        Assert.True(exitCode == 1, $"LibTorchCheck exited with {exitCode}:\n{stderr}\n{stdout}");
        Assert.Equal(
            $"System.IO.DirectoryNotFoundException: {LibTorch.FolderVariable}={missing}: the folder '{missing}' does not exist. Point it at the folder that holds libtorch's shared libraries (torch/lib in a PyTorch install, lib in a libtorch download).",
            stderr.Trim());
    }

    [Fact]
    public void AVariableThatNamesAnOlderLibtorchFailsBeforeLoadingIt()
    {
        using var root = new TempFolder();
        var lib = LibTorchFolders.Fake(root, "libtorch/lib");
        File.WriteAllText(root.File("libtorch/build-version"), "2.9.0\n");

        var (exitCode, stdout, stderr) = BuiltProgram.Run(BuiltProgram.Locate(CheckFolder, CheckName), [], LibTorch.FolderVariable, lib);

        Assert.True(exitCode == 1, $"LibTorchCheck exited with {exitCode}:\n{stderr}\n{stdout}");
        Assert.StartsWith($"System.InvalidOperationException: {LibTorch.FolderVariable}={lib}: the libtorch in '{lib}' is version 2.9.0 (stated in {root.File("libtorch/build-version")}), but TorchSharp 0.107 needs libtorch 2.10.x", stderr);
    }

    [Fact]
    public void AnApplicationThatCarriesItsOwnLibtorchIsToldToBeBuiltWithout()
    {
        var package = LibTorchFolders.RestoredPackage();
        var samples = BuiltProgram.Locate("src/Samples", "Samples");

        var (exitCode, stdout, stderr) = BuiltProgram.Run(samples, ["summary", "--architecture", "SmallCnn"], LibTorch.FolderVariable, package);

        Assert.True(exitCode == 1, $"Samples exited with {exitCode}:\n{stderr}\n{stdout}");
        var output = (stdout + stderr).ReplaceLineEndings(string.Empty);
        Assert.Contains($"this application carries its own libtorch ({Path.Combine(Path.GetDirectoryName(samples)!, "runtimes", "linux-x64", "native", "libtorch_cpu.so")})", output);
        Assert.Contains("ExcludeAssets=\"all\"", output);
        Assert.Contains("-p:BundleLibTorch=false", output);
    }
}
