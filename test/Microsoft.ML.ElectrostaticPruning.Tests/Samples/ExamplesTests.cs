using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Examples;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>Every example program of src/Samples/Examples runs on the embedded data and does what it shows.</summary>
[Trait("Category", "Slow")]
public sealed class ExamplesTests
{
    private static readonly string Data = RepositoryLocator.FindEmbeddedData([AppContext.BaseDirectory]);

    [Fact]
    public void TheImageFolderPipelineLearnsFromPngFolders()
    {
        using var folder = new TempFolder();
        var images = ImageFolderWriter.WriteFashionMnist(Data, Path.Combine(folder.Path, "images"), perClass: 100);

        var accuracy = ImageFolderPipeline.Example(images);

        Assert.Equal(10, Directory.GetDirectories(images).Length);
        Assert.InRange(accuracy, 0.4, 1); // chance is 0.1
    }

    [Fact]
    public void RePruningAndTheSweepPruneTheTrainedModelFurtherAtEveryRatio()
    {
        var rows = RePruningAndSweep.Example(Data);

        Assert.Equal([0, 0.25, 0.5, 0.75], rows.Select(r => r.Ratio));
        Assert.Equal(1, rows[0].Speedup, 9);
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.Second.Speedup > p.First.Speedup && p.Second.Parameters < p.First.Parameters));
        Assert.InRange(rows[0].Top1Accuracy, 0.5, 1);
        Assert.True(rows[^1].Top1Accuracy < rows[0].Top1Accuracy);
    }

    [Fact]
    public void ThePenaltyTrainsInAPlainTorchSharpLoop()
    {
        var (firstLoss, lastLoss, penalty) = PenaltyInTorchSharpLoop.Example(Data);

        Assert.True(lastLoss < firstLoss - 0.2, $"{firstLoss} -> {lastLoss}");
        Assert.True(double.IsFinite(penalty) && penalty > 0, $"penalty {penalty}");
    }

    [Fact]
    public void TheOnnxExportScoresLikeTheModelInOnnxRuntime()
    {
        using var folder = new TempFolder();
        var onnx = Path.Combine(folder.Path, "model.onnx");

        var difference = OnnxExportWithOnnxRuntime.Example(Data, onnx);

        Assert.True(new FileInfo(onnx).Length > 10_000);
        Assert.InRange(difference, 0, 1e-4);
    }

    [Fact]
    public void AWarmStartContinuesTheSavedModel()
    {
        using var folder = new TempFolder();
        var saved = Path.Combine(folder.Path, "pretrained.zip");

        var summary = WarmStart.Example(Data, saved);

        Assert.True(File.Exists(saved));
        Assert.Equal(2, summary.Training.Count);
        Assert.Contains("regularizer folded force", summary.TrainingOptions, StringComparison.Ordinal);
        Assert.EndsWith("warm start from a model trained 2 epochs", summary.TrainingOptions, StringComparison.Ordinal);
        using var pretrained = ModelFiles.Load(new MLContext(), saved);
        Assert.Contains("regularizer none", pretrained.Summary.TrainingOptions, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInterruptedFitContinuesFromItsCheckpoint()
    {
        using var folder = new TempFolder();
        var checkpoint = Path.Combine(folder.Path, "fit.ckpt");

        var (before, after) = CheckpointAndResume.Example(Data, checkpoint);

        Assert.Equal(1, before);
        Assert.Equal(2, after);
        Assert.True(File.Exists(checkpoint));
    }

    [Fact]
    public void AnExampleRunsFromTheCommandLine()
    {
        using var folder = new TempFolder();

        var (code, output, error) = CliHarness.Run("example", "re-pruning", "-o", folder.Path);

        Assert.True(code == 0, error);
        Assert.Matches(@"re-pruning: 0: \d+\.\d\d ?% at 1\.00x; 0\.25: ", output);
    }
}
