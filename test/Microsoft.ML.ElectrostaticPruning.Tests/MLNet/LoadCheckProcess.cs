using System.Diagnostics;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Runs test/Microsoft.ML.ElectrostaticPruning.LoadCheck in a fresh process (dotnet exec) and returns its output lines.</summary>
internal static class LoadCheckProcess
{
    private const string Name = "Microsoft.ML.ElectrostaticPruning.LoadCheck";

    /// <summary>Loads <paramref name="modelPath"/> in a new process, scores the binary IDataView <paramref name="dataPath"/> and returns "scores\tpredicted" lines.</summary>
    public static string[] Score(string modelPath, string dataPath)
    {
        string output = Path.Combine(Path.GetDirectoryName(dataPath)!, "fresh-process-scores.tsv");
        var start = new ProcessStartInfo(DotnetHost(), ["exec", LocateDll(), modelPath, dataPath, output])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("LoadCheck did not finish within 2 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"LoadCheck exited with {process.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
        }

        return File.ReadAllLines(output);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The LoadCheck build of the same configuration as this test assembly (bin/&lt;Configuration&gt;/&lt;tfm&gt;/).</summary>
    private static string LocateDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = testBin.Name;
        string configuration = testBin.Parent!.Name;
        for (var dir = testBin; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "test", Name, "bin", configuration, tfm, Name + ".dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{Name}.dll ({configuration}/{tfm}) not found above {AppContext.BaseDirectory}; build the solution first.");
    }
}
