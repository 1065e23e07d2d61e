using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>
/// A folder that holds libtorch's shared libraries (<c>torch/lib</c> of a PyTorch install, <c>lib</c> of a libtorch
/// download, <c>runtimes/linux-x64/native</c> of the libtorch NuGet packages), read without loading anything: which
/// libraries it has, which libtorch version it says it is, and whether it exports what libLibTorchSharp.so needs.
/// </summary>
internal sealed partial class LibTorchFolder
{
    /// <summary>The libraries every libtorch folder has; libLibTorchSharp.so links against these three.</summary>
    public static readonly IReadOnlyList<string> RequiredLibraries = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>Every library the folder may have that is loaded from it, in dependency order (the CUDA ones are optional).</summary>
    private static readonly string[] LoadOrderCandidates = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    private LibTorchFolder(string path, string? version, string? versionSource)
    {
        Path = path;
        Version = version;
        VersionSource = versionSource;
    }

    /// <summary>The folder's canonical path.</summary>
    public string Path { get; }

    /// <summary>The version the folder's distribution states (e.g. <c>2.10.0</c>, <c>2.11.0+cu130</c>); null when no version file was found.</summary>
    public string? Version { get; }

    /// <summary>The file <see cref="Version"/> was read from; null with it.</summary>
    public string? VersionSource { get; }

    /// <summary>Whether the folder has the CUDA build of libtorch (libtorch_cuda.so).</summary>
    public bool HasCuda => File.Exists(Library("libtorch_cuda.so"));

    /// <summary>The full paths of the folder's libraries to load, in dependency order.</summary>
    public IReadOnlyList<string> LoadOrder => LoadOrderCandidates.Select(Library).Where(File.Exists).ToList();

    /// <summary>Opens <paramref name="path"/>; <paramref name="source"/> names where it came from in error messages.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder lacks one of <see cref="RequiredLibraries"/>.</exception>
    public static LibTorchFolder Open(string path, string source)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException(
                $"{source}: the folder '{path}' does not exist. Point it at the folder that holds libtorch's shared libraries " +
                "(torch/lib in a PyTorch install, lib in a libtorch download).");
        }

        var folder = NativeFiles.Canonical(path);
        var missing = RequiredLibraries.Where(name => !File.Exists(System.IO.Path.Combine(folder, name))).ToList();
        if (missing.Count > 0)
        {
            throw new FileNotFoundException(
                $"{source}: the folder '{folder}' holds no {string.Join(", ", missing)}. Point it at the folder that holds libtorch's shared " +
                "libraries (torch/lib in a PyTorch install, lib in a libtorch download).",
                System.IO.Path.Combine(folder, missing[0]));
        }

        var (version, versionSource) = FindVersion(folder);
        return new LibTorchFolder(folder, version, versionSource);
    }

    /// <summary>
    /// The version stated next to <paramref name="folder"/>: <c>../build-version</c> (libtorch download),
    /// <c>../version.py</c> (PyTorch's <c>torch</c> package: <c>__version__ = '2.11.0+cu130'</c>) or, for a folder
    /// <c>&lt;id&gt;/&lt;version&gt;/runtimes/&lt;rid&gt;/native</c> of a libtorch NuGet package, the package's
    /// <c>.nuspec</c>. (null, null) when none is found.
    /// </summary>
    public static (string? Version, string? Source) FindVersion(string folder)
    {
        var parent = Directory.GetParent(folder);
        if (parent is null)
        {
            return (null, null);
        }

        var buildVersion = System.IO.Path.Combine(parent.FullName, "build-version");
        if (File.Exists(buildVersion) && ReadFirstLine(buildVersion) is { Length: > 0 } stated)
        {
            return (stated, buildVersion);
        }

        var versionPy = System.IO.Path.Combine(parent.FullName, "version.py");
        if (File.Exists(versionPy) && PythonVersion().Match(File.ReadAllText(versionPy)) is { Success: true } python)
        {
            return (python.Groups[1].Value, versionPy);
        }

        // <id>/<version>/runtimes/<rid>/native
        if (System.IO.Path.GetFileName(folder) == "native"
            && parent.Parent is { Name: "runtimes", Parent: { } packageVersion }
            && packageVersion.Parent is { } packageId)
        {
            var nuspec = System.IO.Path.Combine(packageVersion.FullName, packageId.Name + ".nuspec");
            if (packageId.Name.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase)
                && File.Exists(nuspec)
                && NuspecVersion().Match(File.ReadAllText(nuspec)) is { Success: true } package)
            {
                return (package.Groups[1].Value, nuspec);
            }
        }

        return (null, null);
    }

    /// <summary>Whether <paramref name="version"/> has the major and minor version of <paramref name="expected"/> (<c>2.10.1+cu128</c> matches <c>2.10</c>).</summary>
    public static bool Matches(string version, string expected)
    {
        var found = MajorMinor().Match(version);
        var wanted = MajorMinor().Match(expected);
        return found.Success && wanted.Success
            && int.Parse(found.Groups[1].Value, CultureInfo.InvariantCulture) == int.Parse(wanted.Groups[1].Value, CultureInfo.InvariantCulture)
            && int.Parse(found.Groups[2].Value, CultureInfo.InvariantCulture) == int.Parse(wanted.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The libtorch symbols that <paramref name="libTorchSharp"/> needs and none of <see cref="RequiredLibraries"/>
    /// exports (empty when the ABI matches), and how many it needs.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is not a 64-bit ELF shared library.</exception>
    public (IReadOnlyList<string> Missing, int Required) MissingSymbols(string libTorchSharp)
    {
        var required = ElfDynamicSymbols.Read(libTorchSharp).Required.Distinct(StringComparer.Ordinal).ToList();
        var exported = RequiredLibraries.Select(name => ElfDynamicSymbols.Read(Library(name)).Exported).ToList();
        var missing = required.Where(symbol => !exported.Any(set => set.Contains(symbol))).ToList();
        return (missing, required.Count);
    }

    /// <summary>The full path of <paramref name="fileName"/> in the folder.</summary>
    public string Library(string fileName) => System.IO.Path.Combine(Path, fileName);

    private static string? ReadFirstLine(string path) => File.ReadLines(path).FirstOrDefault()?.Trim();

    [GeneratedRegex(@"^\s*__version__\s*=\s*['""]([^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex PythonVersion();

    [GeneratedRegex(@"<version>\s*([^<\s]+)\s*</version>")]
    private static partial Regex NuspecVersion();

    [GeneratedRegex(@"^\s*(\d+)\.(\d+)")]
    private static partial Regex MajorMinor();
}
