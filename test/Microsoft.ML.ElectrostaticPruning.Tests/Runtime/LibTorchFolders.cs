using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

/// <summary>
/// libtorch folders for the tests: the restored libtorch-cpu-linux-x64 package, and fake folders made of symbolic links
/// to its real libraries (so their ELF symbol tables are real) plus a version file.
/// </summary>
internal static class LibTorchFolders
{
    /// <summary>
    /// <c>&lt;NuGet packages&gt;/libtorch-cpu-linux-x64/&lt;version&gt;/runtimes/linux-x64/native</c> for the libtorch version
    /// TorchSharp reports (2.10.0), in <c>NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>.
    /// </summary>
    public static string RestoredPackage()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var folder = Path.Combine(packages, "libtorch-cpu-linux-x64", PackageVersion(torch.__version__), "runtimes", "linux-x64", "native");
        Assert.True(File.Exists(Path.Combine(folder, "libtorch_cpu.so")), $"The restored libtorch package is not at {folder}; restore the solution first.");
        return folder;
    }

    /// <summary>The libLibTorchSharp.so this test process runs with.</summary>
    public static string TestLibTorchSharp()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} not found.");
        return path;
    }

    /// <summary>
    /// Creates <paramref name="relativeLib"/> inside <paramref name="root"/> with links named libc10.so, libtorch_cpu.so
    /// and libtorch.so to the restored package's libraries (<paramref name="cpuTarget"/> replaces libtorch_cpu.so's
    /// target), and returns its full path.
    /// </summary>
    public static string Fake(TempFolder root, string relativeLib, string cpuTarget = "libtorch_cpu.so")
    {
        var real = RestoredPackage();
        var lib = root.File(relativeLib);
        Directory.CreateDirectory(lib);
        File.CreateSymbolicLink(Path.Combine(lib, "libc10.so"), Path.Combine(real, "libc10.so"));
        File.CreateSymbolicLink(Path.Combine(lib, "libtorch_cpu.so"), Path.Combine(real, cpuTarget));
        File.CreateSymbolicLink(Path.Combine(lib, "libtorch.so"), Path.Combine(real, "libtorch.so"));
        return lib;
    }

    /// <summary>2.10.0.0 → 2.10.0 (NuGet drops a zero fourth part from folder names).</summary>
    private static string PackageVersion(string version)
    {
        var parts = version.Split('.');
        return parts.Length == 4 && parts[3] == "0" ? string.Join('.', parts[..3]) : version;
    }
}
