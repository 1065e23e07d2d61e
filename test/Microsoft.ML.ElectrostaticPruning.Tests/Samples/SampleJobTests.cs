using System.Buffers.Binary;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The jobs end to end on a few hundred embedded Fashion-MNIST images and one epoch: files, tables, exit codes.</summary>
public sealed class SampleJobTests
{
    private static readonly string Data = RepositoryLocator.FindEmbeddedData([AppContext.BaseDirectory]);

    [Fact]
    public void TheComparisonWritesTheTableBothFiguresTheReportAndTheModels()
    {
        using var folder = new TempFolder();

        var (code, output, error) = CliHarness.Run(
            "--data", Data, "--train-limit", "384", "--test-limit", "200", "--epochs", "1", "--ratios", "0,0.5",
            "--finetune-speedup", "3", "--finetune-epochs", "1", "--threads", "2", "-o", folder.Path);

        Assert.True(code == 0, error);
        Assert.Equal(string.Empty, error);
        Assert.Equal((1000, 600), PngSize(Path.Combine(folder.Path, OutputFiles.Figure2)));
        Assert.Equal((1040, 480), PngSize(Path.Combine(folder.Path, OutputFiles.Figure3)));
        var report = File.ReadAllText(Path.Combine(folder.Path, OutputFiles.Report));
        Assert.Contains("| Pruning ratio | Params | FLOPs (2xMAC) | Speedup | plain top-1 | L1-norm top-1 | electrostatic force top-1 | folded force top-1 |", report, StringComparison.Ordinal);
        Assert.Contains("| 0.50 | 20.44 k | 2.06 MFLOPs | 3.75x |", report, StringComparison.Ordinal);
        Assert.Contains("| electrostatic force | 0.50 | 3.75x | 1 |", report, StringComparison.Ordinal);
        Assert.Contains("Wall-clock time:", report, StringComparison.Ordinal);
        Assert.Contains("| folded force | 0.50 | 3.75x | 1 |", report, StringComparison.Ordinal);
        foreach (var method in new[] { Methods.Plain, Methods.L1, Methods.Electrostatic, Methods.FoldedForce })
        {
            Assert.True(File.Exists(Path.Combine(folder.Path, CompareJob.ModelFileName(method))), method);
        }

        Assert.True(output.Contains("[plain] 1/1 epoch 1/1", StringComparison.Ordinal), output);
        Assert.True(output.Contains("folded force alpha_e 1E-11 on the filters the plan removes", StringComparison.Ordinal), output);
        Assert.Contains("Wall-clock", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ATrainedModelCanBePrunedEvaluatedSweptFineTunedAndSummarised()
    {
        using var folder = new TempFolder();
        var model = Path.Combine(folder.Path, "model.zip");
        var pruned = Path.Combine(folder.Path, "pruned.zip");
        var tuned = Path.Combine(folder.Path, "tuned.zip");
        string[] data = ["--data", Data, "--train-limit", "256", "--test-limit", "128", "-o", folder.Path];

        var train = CliHarness.Run(["train", "--epochs", "1", "-r", "electrostatic", "--alpha", "1e-11", "--plan", "0.5", "--save", model, .. data]);
        var prune = CliHarness.Run(["prune", "--model", model, "--plan", "0.25", "--save", pruned, .. data]);
        var evaluate = CliHarness.Run(["evaluate", "--model", pruned, .. data]);
        var sweep = CliHarness.Run(["sweep", "--model", $"e={model}", "--ratios", "0,0.5", .. data]);
        var finetune = CliHarness.Run(["finetune", "--model", model, "--plan", "0.25", "--epochs", "1", "--save", tuned, .. data]);
        var summary = CliHarness.Run("summary", "--model", tuned);
        var evaluateTuned = CliHarness.Run(["evaluate", "--model", tuned, .. data]);

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("3.75x fewer FLOPs", train.Output, StringComparison.Ordinal);
        Assert.True(prune.ExitCode == 0, prune.Error);
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("Top-1 accuracy (micro)", evaluate.Output, StringComparison.Ordinal);
        Assert.Contains("T-shirt/top", evaluate.Output, StringComparison.Ordinal);
        Assert.True(sweep.ExitCode == 0, sweep.Error);
        Assert.Contains("| 0.50 | 20.44 k | 2.06 MFLOPs | 3.75x |", sweep.Output, StringComparison.Ordinal);
        Assert.Equal((1000, 600), PngSize(Path.Combine(folder.Path, OutputFiles.Figure2)));
        Assert.True(finetune.ExitCode == 0, finetune.Error);
        Assert.True(evaluateTuned.ExitCode == 0, evaluateTuned.Error);

        // The accuracy finetune prints is the accuracy of the model it saved.
        var printed = System.Text.RegularExpressions.Regex.Match(finetune.Output, @"fine-tuned (\d+\.\d\d%)");
        Assert.True(printed.Success, finetune.Output);
        Assert.Matches($@"Top-1 accuracy \(micro\)\s*│\s*{System.Text.RegularExpressions.Regex.Escape(printed.Groups[1].Value)}", evaluateTuned.Output);
        Assert.True(summary.ExitCode == 0, summary.Error);
        Assert.Contains("pruned by 0.25", summary.Output, StringComparison.Ordinal);
        Assert.Contains("conv2", summary.Output, StringComparison.Ordinal);
        Assert.Contains("48", summary.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotAModelIsRejectedInOneLine()
    {
        using var folder = new TempFolder();
        var bogus = folder.File("bogus.zip", [1, 2, 3, 4]);

        var (code, _, error) = CliHarness.Run("summary", "--model", bogus);

        Assert.Equal(1, code);
        Assert.StartsWith($"error: --model '{bogus}' cannot be loaded as an ML.NET model", error, StringComparison.Ordinal);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 24);
        Assert.True(header[1..4].SequenceEqual("PNG"u8), $"{path} is not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(header[16..20]), BinaryPrimitives.ReadInt32BigEndian(header[20..24]));
    }
}
