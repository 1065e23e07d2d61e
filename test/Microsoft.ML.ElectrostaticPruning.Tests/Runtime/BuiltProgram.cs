using System.Diagnostics;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

/// <summary>Runs a program of this repository, built in the same configuration as the tests, in a fresh process (dotnet exec).</summary>
internal static class BuiltProgram
{
    /// <summary>Runs <paramref name="dll"/> with <paramref name="arguments"/> and one extra environment variable; returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string dll, IEnumerable<string> arguments, string variable, string value)
    {
        var start = new ProcessStartInfo(DotnetHost(), ["exec", dll, .. arguments])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment[variable] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} did not finish within 2 minutes.");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// <c>&lt;folder&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/&lt;name&gt;.dll</c> for a <paramref name="folder"/> relative to the
    /// repository root (e.g. <c>src/Samples</c>), found above this test assembly's bin folder.
    /// </summary>
    public static string Locate(string folder, string name)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = testBin.Name;
        string configuration = testBin.Parent!.Name;
        for (var dir = testBin; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, folder, "bin", configuration, tfm, name + ".dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{name}.dll ({configuration}/{tfm}) not found above {AppContext.BaseDirectory}; build the solution first.");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
