using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;
using Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>
/// Checkpoint and resume the hard way: a child process (<c>Samples train --checkpoint</c>) training SmallCnn is killed with
/// SIGKILL in the middle of an epoch, a second process with the same flags resumes from the checkpoint, and the model it
/// saves scores bit-identically to the model of an uninterrupted process with the same seed.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class CheckpointKillTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public void AFitKilledWithSigkillDuringAnEpochAndResumedInANewProcessEndsBitIdenticalToAnUninterruptedRun()
    {
        using var folder = new TempFolder();
        string samples = BuiltProgram.Locate("src/Samples", "Samples");
        string[] Flags(string output, string? checkpoint) =>
        [
            "train", "--data", RepositoryData.FashionMnistFolder, "--train-limit", "2048", "--test-limit", "200", "--epochs", "4",
            "--lr", "0:0.02,3:0.002", "--seed", "1", "--threads", "2", "--output", output,
            .. checkpoint is null ? Array.Empty<string>() : ["--checkpoint", checkpoint],
        ];
        string checkpoint = Path.Combine(folder.Path, "killed", "train.ckpt");

        var uninterrupted = RunToEnd(samples, Flags(Path.Combine(folder.Path, "uninterrupted"), null));

        // Kill the second process after it has reported epoch 2 (the checkpoint holds epochs 1-2) and is inside epoch 3.
        using var killed = Start(samples, Flags(Path.Combine(folder.Path, "killed"), checkpoint));
        var epochs = new List<int>();
        var reported = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        while (!epochs.Contains(2) && killed.StandardOutput.ReadLine() is { } line)
        {
            if (EpochLine().Match(line) is { Success: true } match)
            {
                epochs.Add(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                reported.Add(clock.Elapsed);
            }
        }

        // (The failure messages read the rest of the output only on failure: reading it blocks until the process ends.)
        if (!epochs.Contains(2))
        {
            Assert.Fail($"the first process ended before epoch 2; stderr:\n{killed.StandardError.ReadToEnd()}");
        }

        Thread.Sleep((reported[^1] - reported[^2]) * 0.4); // 40% into epoch 3, by the length of epoch 2
        if (killed.HasExited)
        {
            Assert.Fail($"the first process finished before it could be killed (exit {killed.ExitCode}):\n{killed.StandardError.ReadToEnd()}");
        }

        killed.Kill(); // SIGKILL on Linux and macOS: no handler runs, nothing is flushed.
        Assert.True(killed.WaitForExit(Limit));
        Assert.Equal(137, killed.ExitCode); // 128 + SIGKILL(9)
        Assert.False(File.Exists(Path.Combine(folder.Path, "killed", "model.zip")));
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(["train.ckpt"], Directory.GetFiles(Path.GetDirectoryName(checkpoint)!).Select(Path.GetFileName));

        var resumed = RunToEnd(samples, Flags(Path.Combine(folder.Path, "killed"), checkpoint));

        Assert.Contains("exists: training continues after its last epoch", resumed, StringComparison.Ordinal);
        Assert.Equal([3, 4], EpochLine().Matches(resumed).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(LossesOf(uninterrupted).Skip(2), LossesOf(resumed));
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 200);
        Assert.Equal(Scores(ml, Path.Combine(folder.Path, "uninterrupted", "model.zip"), test), Scores(ml, Path.Combine(folder.Path, "killed", "model.zip"), test));
    }

    [GeneratedRegex(@"epoch (\d+)/4 lr")]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"epoch \d+/4 lr \S+ loss (\S+)")]
    private static partial Regex LossLine();

    private static string[] LossesOf(string output) => [.. LossLine().Matches(output).Select(m => m.Groups[1].Value)];

    private static Process Start(string dll, string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost(), ["exec", dll, .. arguments])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["NO_COLOR"] = "1";
        return Process.Start(start)!;
    }

    private static string RunToEnd(string dll, string[] arguments)
    {
        using var process = Start(dll, arguments);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Samples {string.Join(' ', arguments)} did not finish within {Limit}.");
        }

        Assert.True(process.ExitCode == 0, $"Samples {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
        return stdout.Result;
    }

    private static float[][] Scores(MLContext ml, string modelPath, IDataView data)
    {
        using var model = (IDisposable)ml.Model.Load(modelPath, out _);
        return [.. ((ITransformer)model).Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray())];
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
