using System.Text.RegularExpressions;
using ElectrostaticPruning.Samples.Experiments;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The experiment presets end to end on tiny data, one epoch each: the whole path from --data to the report runs.</summary>
[Trait("Category", "Slow")]
public sealed class ExperimentRunTests
{
    private static readonly string Embedded = RepositoryLocator.FindEmbeddedData([AppContext.BaseDirectory]);

    [Fact]
    public void TheResNet56Cifar10PresetTrainsPrunesByEveryTableTwoPlanAndFineTunes()
    {
        using var folder = new TempFolder();
        var data = Path.Combine(folder.Path, "cifar-10-batches-bin");
        WriteCifar10(Path.Combine(data, "data_batch_1.bin"), 40, seed: 1);
        WriteCifar10(Path.Combine(data, "test_batch.bin"), 20, seed: 2);
        var output = Path.Combine(folder.Path, "out");

        var (code, stdout, error) = CliHarness.Run(
            "experiment", "resnet56-cifar10", "--data", folder.Path, "--epochs", "1", "--finetune-epochs", "1", "--batch-size", "20", "--threads", "2", "-o", output);

        Assert.True(code == 0, error);
        var report = File.ReadAllText(Path.Combine(output, "resnet56-cifar10.md"));
        Assert.Contains("CIFAR-10 binary", report, StringComparison.Ordinal);
        foreach (var plan in new[] { "[0,0.52,0.52,0.52,0]", "[0,0.6,0.6,0.6,0]", "[0,0.62,0.63,0.62,0]" })
        {
            // Each Table 2 plan was pruned and fine-tuned: an accuracy in both columns.
            Assert.Matches($@"\| `{Regex.Escape(plan)}` \|.*\| \d+\.\d\d% \| \d+\.\d\d% \|", report);
            Assert.Contains($"[fine-tune {plan}] done", stdout, StringComparison.Ordinal);
        }

        // The saved model is the one trained with the preset's force for its first plan.
        using var model = ModelFiles.Load(new MLContext(), Path.Combine(output, "resnet56-cifar10.zip"));
        Assert.Equal(PruningPlan.Parse("[0,0.52,0.52,0.52,0]"), model.PruningPlan);
        Assert.Contains("regularizer electrostatic force (alpha_e 1E-16", model.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.Single(model.Summary.Training);
    }

    [Fact]
    public void CompareTrainsTheBaselinesTooAndSweepsEveryModel()
    {
        using var folder = new TempFolder();

        var (code, stdout, error) = CliHarness.Run(
            "experiment", "resnet56-mnist", "--data", Embedded, "--train-limit", "64", "--test-limit", "32", "--epochs", "1", "--batch-size", "32",
            "--plan", "[0,0.5,0.5,0.5,0]", "--compare", "--ratios", "0,0.5", "--threads", "2", "-o", folder.Path);

        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(folder.Path, OutputFiles.Figure2)));
        Assert.True(File.Exists(Path.Combine(folder.Path, ExperimentRunner.RawNormsFigure)));
        Assert.True(File.Exists(Path.Combine(folder.Path, ExperimentRunner.FoldedNormsFigure)));
        var report = File.ReadAllText(Path.Combine(folder.Path, "resnet56-mnist.md"));
        foreach (var method in new[] { "plain", "L1-norm 1e-2", "electrostatic force 1e-11" })
        {
            Assert.Matches($@"\| {Regex.Escape(method)} \| l1 \| [\d.]+/\d+ \| \d+\.\d\d \| \d+\.\d\d \|", report);
            Assert.Contains($"[sweep {method}] done", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AStudyPretrainsPlainAndContinuesEveryMethodFromIt()
    {
        using var folder = new TempFolder();

        var (code, stdout, error) = CliHarness.Run(
            "experiment", "figure2-fashion-small", "--train-limit", "128", "--test-limit", "64", "--pretrain-epochs", "1", "--epochs", "1", "--batch-size", "64",
            "--methods", "plain,folded", "--seeds", "1", "--ratios", "0,0.5", "--threads", "2", "-o", folder.Path);

        Assert.True(code == 0, error);
        Assert.Contains("[pretrain (plain)] done", stdout, StringComparison.Ordinal);
        var report = File.ReadAllText(Path.Combine(folder.Path, "figure2-fashion-small.md"));
        foreach (var variant in new[] { "l1", "folded", "folded+comp" })
        {
            Assert.Contains($"| folded force 1e-12 | {variant} |", report, StringComparison.Ordinal);   // "folded" without a rate: the library default
        }

        // The saved model is the last method, warm-started: its options say so.
        using var model = ModelFiles.Load(new MLContext(), Path.Combine(folder.Path, "figure2-fashion-small.zip"));
        Assert.EndsWith("warm start from a model trained 1 epoch", model.Summary.TrainingOptions, StringComparison.Ordinal);
    }

    [Fact]
    public void CalibrateAddsARecalibratedRowPerVariantWhoseCellsAreThoseOfPruneWithCalibrationData()
    {
        using var folder = new TempFolder();

        var (code, _, error) = CliHarness.Run(
            "experiment", "figure2-fashion-small", "--train-limit", "128", "--test-limit", "64", "--pretrain-epochs", "0", "--epochs", "1", "--batch-size", "64",
            "--methods", "folded", "--any-ratio", "0.1-0.7", "--calibrate", "--seeds", "1", "--ratios", "0,0.6", "--threads", "2", "-o", folder.Path);

        Assert.True(code == 0, error);
        var report = File.ReadAllText(Path.Combine(folder.Path, "figure2-fashion-small.md"));
        Assert.Contains("any-ratio sandwich training 0.1-0.7 (1 sub-network per step, distillation 0.5, from half-way, or epoch 0 of a warm start) for the folded-force methods", report, StringComparison.Ordinal);
        Assert.Contains("+recal = each pruned network's BatchNorm statistics re-estimated", report, StringComparison.Ordinal);

        // The saved model is the one swept; every +recal cell is what Prune(plan, calibrationData) of it scores.
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFiles.Load(mlContext, Path.Combine(folder.Path, "figure2-fashion-small.zip"));
        var train = mlContext.Data.TakeRows(mlContext.Data.LoadFromIdxFiles(
            Path.Combine(Embedded, "train-images-idx3-ubyte.gz"), Path.Combine(Embedded, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist), 128);
        var test = mlContext.Data.TakeRows(mlContext.Data.LoadFromIdxFiles(
            Path.Combine(Embedded, "t10k-images-idx3-ubyte.gz"), Path.Combine(Embedded, "t10k-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist), 64);
        foreach (var variant in new[] { "l1", "folded", "folded+comp" })
        {
            var way = PruneVariant.ParseList(variant)[0];
            var plan = way.Apply(PruningPlan.PaperSweep(CnnArchitecture.SmallCnn, 0.6));
            using var free = model.Prune(plan);
            using var calibrated = model.Prune(plan, train);
            string Cell(ElectrostaticCnnTransformer m) => FormattableString.Invariant($"{mlContext.MulticlassClassification.Evaluate(m.Transform(test)).MicroAccuracy * 100:0.00}");
            Assert.Matches($@"\| folded force 1e-12 \| {Regex.Escape(variant)} \| [\d.]+/\d+ \| \d+\.\d\d \| {Cell(free)} \|", report);
            Assert.Matches($@"\| folded force 1e-12 \| {Regex.Escape(variant)}\+recal \| [\d.]+/\d+ \| \d+\.\d\d \| {Cell(calibrated)} \|", report);
        }
    }

    private static void WriteCifar10(string path, int records, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[records * 3073];
        random.NextBytes(bytes);
        for (var i = 0; i < records; i++)
        {
            bytes[i * 3073] = (byte)(i % 10);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
