using System.Buffers.Binary;
using System.Text.RegularExpressions;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The jobs end to end on a few hundred embedded Fashion-MNIST images and one epoch: files, tables, exit codes.</summary>
public sealed class SampleJobTests
{
    private static readonly string Data = RepositoryLocator.FindEmbeddedData([AppContext.BaseDirectory]);

    [Fact]
    [Trait("Category", "Slow")]
    public void TheComparisonTrainsFiveMethodsAndItsTableIsWhatTheSavedModelsScoreDataFreeOrRecalibrated()
    {
        using var folder = new TempFolder();
        string[] data = ["--data", Data, "--train-limit", "384", "--test-limit", "200", "--threads", "2"];

        var (code, output, error) = CliHarness.Run(
            [.. data, "--epochs", "1", "--ratios", "0,0.5", "--finetune-speedup", "3", "--finetune-epochs", "1", "-o", folder.Path]);

        Assert.True(code == 0, error);
        Assert.Equal(string.Empty, error);
        Assert.Equal((1000, 600), PngSize(Path.Combine(folder.Path, OutputFiles.Figure2)));
        Assert.Equal((1040, 480), PngSize(Path.Combine(folder.Path, OutputFiles.Figure3)));
        var report = File.ReadAllText(Path.Combine(folder.Path, OutputFiles.Report));
        string[] methods = ["plain", "L1-norm", "network slimming", "electrostatic force", CompareJob.DefaultLabel];
        string[] columns = [.. methods.SkipLast(1).Select(m => m + CompareJob.RecalibratedSuffix), CompareJob.DefaultLabel, CompareJob.DefaultLabel + CompareJob.RecalibratedSuffix];
        Assert.Contains($"| Speedup | {string.Join(" | ", columns.Select(m => $"{m} top-1"))} |", report, StringComparison.Ordinal);

        // Each model was trained for a plan at 0.5 (the baselines raw-L1 ranked, the default folded-ranked and compensated), so
        // the table's 0.5 row is what its saved model scores when pruned by 'prune --plan <its plan>' (--calibrate for "(recal.)").
        var row = Regex.Match(report, @"^\| 0\.50 \|[^|]+\|[^|]+\|[^|]+\|(.+)\|$", RegexOptions.Multiline).Groups[1].Value.Split('|').Select(c => c.Trim(' ', '*')).ToList();
        Assert.Equal(columns.Length, row.Count);
        string[] regularizers = ["regularizer none", "regularizer L1-norm (rate 0.01)", "regularizer network slimming (rate 0.0001)", "regularizer electrostatic force (alpha_e 1E-09", "regularizer folded force (alpha_e 1E-12"];
        for (var i = 0; i < columns.Length; i++)
        {
            var method = methods[Math.Min(i, methods.Length - 1)];
            var file = Path.Combine(folder.Path, CompareJob.ModelFileName(method));
            using (var model = ModelFiles.Load(new MLContext(), file))
            {
                Assert.Contains(regularizers[Math.Min(i, methods.Length - 1)], model.Summary.TrainingOptions, StringComparison.Ordinal);
            }

            bool recalibrated = columns[i].EndsWith(CompareJob.RecalibratedSuffix, StringComparison.Ordinal);
            var pruned = Path.Combine(folder.Path, $"pruned-{i}.zip");
            var prune = CliHarness.Run(["prune", "--model", file, "--plan", method == CompareJob.DefaultLabel ? "sweep 0.5 rank folded compensate" : "sweep 0.5", "--save", pruned, .. data, .. recalibrated ? ["--calibrate"] : Array.Empty<string>()]);
            Assert.True(prune.ExitCode == 0, prune.Error);
            var evaluate = CliHarness.Run(["evaluate", "--model", pruned, .. data]);
            Assert.True(row[i] == TopOne(evaluate.Output), $"{columns[i]}: table {row[i]}, saved model pruned {TopOne(evaluate.Output)}");
            Assert.Matches($@"\| {Regex.Escape(method)} \| 0\.50 \| [\d.]+x \| 1 \| \d+\.\d\d% \| \d+\.\d\d% \|", report);
        }

        Assert.Contains("[plain] 1/1 epoch 1/1", output, StringComparison.Ordinal);
        Assert.Contains("Wall-clock", output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ATrainedModelCanBePrunedEvaluatedSweptFineTunedAndSummarised()
    {
        using var folder = new TempFolder();
        var model = Path.Combine(folder.Path, "model.zip");
        var pruned = Path.Combine(folder.Path, "pruned.zip");
        var tuned = Path.Combine(folder.Path, "tuned.zip");
        string[] data = ["--data", Data, "--train-limit", "256", "--test-limit", "128", "-o", folder.Path];

        var train = CliHarness.Run(["train", "--epochs", "1", "-r", "electrostatic", "--alpha", "1e-11", "--gradient-mode", "exact", "--plan", "0.5", "--save", model, .. data]);
        var prune = CliHarness.Run(["prune", "--model", model, "--plan", "0.25", "--save", pruned, .. data]);
        var evaluate = CliHarness.Run(["evaluate", "--model", pruned, .. data]);
        var sweep = CliHarness.Run(["sweep", "--model", $"e={model}", "--ratios", "0,0.5", "--calibrate", .. data]);
        var finetune = CliHarness.Run(["finetune", "--model", model, "--plan", "0.25", "--epochs", "1", "--save", tuned, .. data]);
        var summary = CliHarness.Run("summary", "--model", tuned);
        var evaluateTuned = CliHarness.Run(["evaluate", "--model", tuned, .. data]);

        Assert.True(train.ExitCode == 0, train.Error);
        using (var trained = ModelFiles.Load(new MLContext(), model))
        {
            Assert.Contains("regularizer electrostatic force (alpha_e 1E-11, k_e 8.99E+09, Exact gradient)", trained.Summary.TrainingOptions, StringComparison.Ordinal);
            Assert.Contains(OneSpace(trained.Summary.TrainingOptions), OneSpace(train.Output), StringComparison.Ordinal);
        }

        Assert.True(prune.ExitCode == 0, prune.Error);
        using (var prunedModel = ModelFiles.Load(new MLContext(), pruned))
        {
            Assert.Equal(PruningPlan.Parse("0.25"), prunedModel.PruningPlan);
        }

        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("T-shirt/top", evaluate.Output, StringComparison.Ordinal);

        // The recalibrated sweep prunes at 0.5 the way Fit pruned the model (Prune(plan, training images): all 256 here, so the
        // same statistics): the accuracy train printed for its pruned model.
        Assert.True(sweep.ExitCode == 0, sweep.Error);
        var trainedPruned = Regex.Match(train.Output, @"pruned by 0\.5 (\d+\.\d\d%)").Groups[1].Value;
        Assert.Matches($@"\| 0\.50 \|.*\| {Regex.Escape(trainedPruned)} \|", sweep.Output);
        Assert.Equal((1000, 600), PngSize(Path.Combine(folder.Path, OutputFiles.Figure2)));

        // The accuracy finetune prints is the accuracy of the model it saved.
        Assert.True(finetune.ExitCode == 0, finetune.Error);
        Assert.True(evaluateTuned.ExitCode == 0, evaluateTuned.Error);
        var printed = Regex.Match(finetune.Output, @"fine-tuned (\d+\.\d\d%)");
        Assert.True(printed.Success, finetune.Output);
        Assert.Equal(printed.Groups[1].Value, TopOne(evaluateTuned.Output));
        Assert.True(summary.ExitCode == 0, summary.Error);
        Assert.Contains("pruned by 0.25", summary.Output, StringComparison.Ordinal);
        Assert.Contains("fine-tuned 1", summary.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainWithACheckpointContinuesFromItAndGivesTheSameModel()
    {
        using var folder = new TempFolder();
        var checkpoint = Path.Combine(folder.Path, "run.ckpt");
        string[] args = ["train", "--data", Data, "--train-limit", "256", "--test-limit", "128", "--epochs", "2", "--batch-size", "64", "--checkpoint", checkpoint, "-o", folder.Path];

        var first = CliHarness.Run([.. args, "--save", Path.Combine(folder.Path, "first.zip")]);
        var again = CliHarness.Run([.. args, "--save", Path.Combine(folder.Path, "again.zip")]);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(File.Exists(checkpoint));
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("exists: training continues", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 1/2", again.Output, StringComparison.Ordinal);
        Assert.Equal(TopOne(CliHarness.Run("evaluate", "--model", Path.Combine(folder.Path, "first.zip"), "--data", Data, "--test-limit", "128").Output),
            TopOne(CliHarness.Run("evaluate", "--model", Path.Combine(folder.Path, "again.zip"), "--data", Data, "--test-limit", "128").Output));

        var otherOptions = CliHarness.Run([.. args.Select(a => a == "64" ? "32" : a)]);
        Assert.Equal(1, otherOptions.ExitCode);
        Assert.Contains("--checkpoint", otherOptions.Error, StringComparison.Ordinal);
        Assert.Contains("batch 32", otherOptions.Error, StringComparison.Ordinal);
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

    private static string OneSpace(string text) => Regex.Replace(text, @"\s+", " ");

    private static string TopOne(string evaluateOutput)
    {
        var match = Regex.Match(evaluateOutput, @"Top-1 accuracy \(micro\)\s*│\s*(\d+\.\d\d%)");
        Assert.True(match.Success, evaluateOutput);
        return match.Groups[1].Value;
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 24);
        Assert.True(header[1..4].SequenceEqual("PNG"u8), $"{path} is not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(header[16..20]), BinaryPrimitives.ReadInt32BigEndian(header[20..24]));
    }
}
