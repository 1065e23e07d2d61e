using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Which libtorch the process runs on. By default TorchSharp loads the libtorch that the application carries (the
/// <c>libtorch-cpu-linux-x64</c> package that <c>TorchSharp-cpu</c> brings). <see cref="UseFolder"/>, or the
/// environment variable <c>ELECTROSTATIC_PRUNING_LIBTORCH</c>, binds it instead to the libtorch in a folder, such as
/// <c>torch/lib</c> of a PyTorch install: the way to run on an NVIDIA GPU without the <c>TorchSharp-cuda-linux</c>
/// package. Linux only.
/// </summary>
/// <remarks>
/// <para>
/// The folder must be chosen before TorchSharp first loads libtorch. The variable is applied when this library is first
/// used (a module initializer), before any of its code touches TorchSharp; <see cref="UseFolder"/> must be called before
/// the application's own code touches TorchSharp. The folder's libc10, libtorch_cpu, (libc10_cuda, libtorch_cuda) and
/// libtorch are loaded from it by full path, so that the libLibTorchSharp.so of the TorchSharp package and TorchSharp's
/// own loads by name bind to them.
/// </para>
/// <para>
/// Before anything is loaded, the folder is checked: its stated version (<c>../build-version</c> of a libtorch
/// download, <c>../version.py</c> of PyTorch's torch package, the <c>.nuspec</c> of a libtorch NuGet package) must be
/// <see cref="ExpectedVersion"/>.x, and it must export every libtorch symbol that libLibTorchSharp.so needs (read from
/// the ELF symbol tables). The application must not carry a libtorch of its own (libtorch_cpu.so or libtorch_cuda.so
/// in its output): TorchSharp would load that one as a second copy, which aborts the process. Build it with
/// <c>&lt;PackageReference Include="libtorch-cpu-linux-x64" ExcludeAssets="all" /&gt;</c> (in this repository:
/// <c>-p:BundleLibTorch=false</c>) or delete those files from its output. Every failure is an exception whose message
/// names the folder and what is wrong.
/// </para>
/// </remarks>
public static class LibTorch
{
    /// <summary>The environment variable that names a libtorch folder (e.g. <c>…/site-packages/torch/lib</c>).</summary>
    public const string FolderVariable = "ELECTROSTATIC_PRUNING_LIBTORCH";

    /// <summary>The libtorch release (major.minor) that TorchSharp 0.107's libLibTorchSharp.so is built against: <c>2.10</c>.</summary>
    public static string ExpectedVersion => "2.10";

    private const string TorchSharpName = "TorchSharp 0.107";

    private static readonly Lock Gate = new();
    private static LibTorchFolder? _folder;
    private static string? _source;

    /// <summary>The folder libtorch was loaded from through <see cref="UseFolder"/> or <see cref="FolderVariable"/>; null when the application's own libtorch is used.</summary>
    public static string? Folder
    {
        get
        {
            lock (Gate)
            {
                return _folder?.Path;
            }
        }
    }

    /// <summary>The version that <see cref="Folder"/>'s distribution states; null without a folder or when it states none (then only its symbols were checked).</summary>
    public static string? FolderVersion
    {
        get
        {
            lock (Gate)
            {
                return _folder?.Version;
            }
        }
    }

    /// <summary>
    /// The folder of the libtorch_cpu.so mapped into this process, as <c>/proc/self/maps</c> shows it; null before
    /// TorchSharp has loaded libtorch, or where <c>/proc</c> is not available. Reading it loads nothing.
    /// </summary>
    public static string? LoadedFrom => NativeFiles.Mapped("libtorch_cpu.so") is [var first, ..] ? Path.GetDirectoryName(first) : null;

    /// <summary>One line for logs, e.g. <c>libtorch 2.10.0 from /opt/torch/lib (ELECTROSTATIC_PRUNING_LIBTORCH)</c> or <c>libtorch from /app/runtimes/linux-x64/native</c>.</summary>
    public static string Description
    {
        get
        {
            lock (Gate)
            {
                if (_folder is { } folder)
                {
                    return $"libtorch {folder.Version ?? "(no version file)"} from {folder.Path} ({_source})";
                }
            }

            return LoadedFrom is { } loaded ? $"libtorch from {loaded}" : "libtorch not loaded yet";
        }
    }

    /// <summary>
    /// Makes TorchSharp use the libtorch in <paramref name="path"/> (the folder holding libtorch_cpu.so): checks it,
    /// then loads its libraries. Call it before the application touches TorchSharp. Calling it again with the same
    /// folder does nothing.
    /// </summary>
    /// <param name="path">The folder, e.g. the output of <c>python3 -c "import torch,os;print(os.path.join(os.path.dirname(torch.__file__),'lib'))"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder lacks libc10.so, libtorch_cpu.so or libtorch.so.</exception>
    /// <exception cref="InvalidOperationException">
    /// The folder's libtorch is not <see cref="ExpectedVersion"/>.x or lacks symbols libLibTorchSharp.so needs; the
    /// application carries its own libtorch; libtorch is already loaded from elsewhere, or a different folder was
    /// chosen before; or a library fails to load.
    /// </exception>
    public static void UseFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Bind(path, $"LibTorch.UseFolder(\"{path}\")", "LibTorch.UseFolder");
    }

    /// <summary>Applies <see cref="FolderVariable"/> when it is set (the module initializer calls it); see <see cref="UseFolder"/> for the exceptions.</summary>
    internal static void ApplyEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(FolderVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            Bind(value.Trim(), $"{FolderVariable}={value}", FolderVariable);
        }
    }

    /// <summary>
    /// Checks <paramref name="path"/> without loading anything: the folder, its version and, when the application's
    /// libLibTorchSharp.so is found, its symbols. Returns the opened folder.
    /// </summary>
    internal static LibTorchFolder Check(string path, string source, string? libTorchSharp)
    {
        var folder = LibTorchFolder.Open(path, source);
        IReadOnlyList<string> missing = [];
        int required = 0;
        if (libTorchSharp is not null)
        {
            (missing, required) = folder.MissingSymbols(libTorchSharp);
        }

        string symbols = libTorchSharp is null
            ? string.Empty
            : missing.Count == 0
                ? $" It does export all {required} libtorch symbols that {libTorchSharp} needs."
                : $" It lacks {missing.Count} of the {required} libtorch symbols that {libTorchSharp} needs, e.g. {string.Join(", ", missing.Take(3))}.";
        if (folder.Version is { } version && !LibTorchFolder.Matches(version, ExpectedVersion))
        {
            throw new InvalidOperationException(
                $"{source}: the libtorch in '{folder.Path}' is version {version} (stated in {folder.VersionSource}), but {TorchSharpName} " +
                $"needs libtorch {ExpectedVersion}.x: its libLibTorchSharp.so is built against that release, whose C++ symbols differ from other releases.{symbols} " +
                $"Use the lib folder of a PyTorch or libtorch {ExpectedVersion}.x install, or unset {FolderVariable}.");
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{source}: the libtorch in '{folder.Path}' ({(folder.Version is { } v ? "version " + v : "no version file found")}) is not the " +
                $"libtorch {ExpectedVersion}.x that {TorchSharpName} needs.{symbols} Use the lib folder of a PyTorch or libtorch {ExpectedVersion}.x install.");
        }

        return folder;
    }

    private static void Bind(string path, string source, string label)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException($"{source}: choosing the libtorch folder is supported on Linux x64 only.");
        }

        lock (Gate)
        {
            if (_folder is { } bound)
            {
                if (Directory.Exists(path) && NativeFiles.Canonical(path) == bound.Path)
                {
                    return;
                }

                throw new InvalidOperationException($"{source}: libtorch is already loaded from '{bound.Path}' ({_source}); a process can use one libtorch only.");
            }

            string? torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
            var probed = NativeFiles.ProbedFolders(torchSharpFolder);
            string? libTorchSharp = probed
                .Select(folder => Path.Combine(folder, "libLibTorchSharp.so"))
                .FirstOrDefault(File.Exists);
            var folder = Check(path, source, libTorchSharp);

            var ours = NativeFiles.Canonical(folder.Library("libtorch_cpu.so"));
            var folderFiles = folder.LoadOrder.Select(NativeFiles.Canonical).ToHashSet(StringComparer.Ordinal);
            var loaded = NativeFiles.Mapped("libtorch_cpu.so");
            if (loaded.Count > 0)
            {
                if (loaded.All(file => NativeFiles.Canonical(file) == ours))
                {
                    Record(folder, label);
                    return;
                }

                throw new InvalidOperationException(
                    $"{source}: libtorch is already loaded from '{Path.GetDirectoryName(loaded[0])}', so '{folder.Path}' cannot be used: " +
                    $"TorchSharp was used before the folder was chosen. Set {FolderVariable} before the process starts, or call LibTorch.UseFolder " +
                    "before the application's first use of TorchSharp.");
            }

            var ownCopies = probed
                .SelectMany(dir => new[] { "libtorch_cpu.so", "torch_cpu.so", "libtorch_cuda.so", "torch_cuda.so" }.Select(name => Path.Combine(dir, name)))
                .Where(File.Exists)
                .Where(file => !folderFiles.Contains(NativeFiles.Canonical(file)))
                .ToList();
            if (ownCopies.Count > 0)
            {
                throw new InvalidOperationException(
                    $"{source}: this application carries its own libtorch ({string.Join(", ", ownCopies)}), which TorchSharp loads by name; " +
                    $"with the libtorch of '{folder.Path}' loaded too, the process would abort. Build the application without it: add " +
                    "<PackageReference Include=\"libtorch-cpu-linux-x64\" ExcludeAssets=\"all\" /> to its project (in this repository: " +
                    "-p:BundleLibTorch=false), or delete libtorch*.so and libc10.so from its output.");
            }

            // By canonical path: a library's $ORIGIN (where its RUNPATH finds libgomp, CUDA's libraries) is the folder of
            // the path it is loaded by, which for a symbolic link is the link's folder, not the library's.
            foreach (var library in folder.LoadOrder)
            {
                try
                {
                    NativeLibrary.Load(NativeFiles.Canonical(library));
                }
                catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
                {
                    throw new InvalidOperationException($"{source}: loading '{library}' failed: {e.Message}", e);
                }
            }

            var nowLoaded = NativeFiles.Mapped("libtorch_cpu.so");
            if (nowLoaded.Count > 0 && nowLoaded.Any(file => NativeFiles.Canonical(file) != ours))
            {
                throw new InvalidOperationException($"{source}: after loading '{ours}', the process maps {string.Join(", ", nowLoaded)}.");
            }

            Record(folder, label);
        }
    }

    private static void Record(LibTorchFolder folder, string label)
    {
        _folder = folder;
        _source = label;
    }
}
