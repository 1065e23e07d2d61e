using System.Runtime.InteropServices;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>
/// Linux facts about native libraries: which files the process has mapped (<c>/proc/self/maps</c>), canonical paths
/// (<c>realpath</c>), and the folders in which .NET looks for a native library loaded by name.
/// </summary>
internal static class NativeFiles
{
    /// <summary>The distinct files mapped into this process whose file name is <paramref name="fileName"/>; empty where /proc is not available.</summary>
    public static IReadOnlyList<string> Mapped(string fileName)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return [];
        }

        var found = new List<string>();
        foreach (var line in File.ReadLines(maps))
        {
            // address perms offset dev inode path; the path is the only field that contains '/'.
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            var path = line[slash..];
            if (path.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                path = path[..^" (deleted)".Length];
            }

            if (Path.GetFileName(path) == fileName && !found.Contains(path, StringComparer.Ordinal))
            {
                found.Add(path);
            }
        }

        return found;
    }

    /// <summary>
    /// The canonical absolute path of an existing file or folder (symbolic links and <c>..</c> resolved), or the full
    /// path when it cannot be resolved.
    /// </summary>
    public static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux())
        {
            return full;
        }

        IntPtr resolved = RealPath(full, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return full;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? full;
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>
    /// The folders .NET probes when a library is loaded by name on behalf of <paramref name="assemblyDirectory"/>'s
    /// assembly, as TorchSharp loads <c>torch_cpu</c> and <c>torch_cuda</c>: the host's native search folders (the
    /// application folder and its <c>runtimes/&lt;rid&gt;/native</c> folders) and the assembly's own folder.
    /// </summary>
    public static IReadOnlyList<string> ProbedFolders(string? assemblyDirectory)
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            folders.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        folders.Add(AppContext.BaseDirectory);
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            folders.Add(assemblyDirectory);
        }

        return folders
            .Where(Directory.Exists)
            .Select(Canonical)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    [DllImport("libc", EntryPoint = "realpath", ExactSpelling = true)]
    private static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free", ExactSpelling = true)]
    private static extern void Free(IntPtr pointer);
}
