using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// <see cref="ElectrostaticCnnTrainer.Options.CheckpointPath"/>: Fit writes a checkpoint after every epoch of training and
/// fine-tuning, and a Fit with the same options and data continues from it to the same model as an uninterrupted run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class CheckpointTests
{
    private static ElectrostaticCnnTrainer.Options Options(string? checkpoint, Action<EpochMetrics>? progress = null)
    {
        var options = SmallTrainerOptions.Create();
        options.Epochs = 3;
        options.FineTuneEpochs = 2;
        options.Regularizer = new FoldedForceRegularizer.Options { StartEpoch = 1 };
        options.CheckpointPath = checkpoint;
        options.ProgressCallback = progress;
        return options;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AFitInterruptedAfterAnEpochAndResumedEndsBitIdenticalToAnUninterruptedOne(int interruptedAfter)
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 256);
        var test = FashionMnistSubset.Test(ml, 100);
        var checkpoint = folder.File("fit.ckpt");
        using var uninterrupted = ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(null)).Fit(train);

        // Epochs 0-2 train, 3-4 fine-tune: stop after the epoch numbered interruptedAfter in that sequence.
        using var stop = new CancellationTokenSource();
        int seen = 0;
        var interrupted = Options(checkpoint, _ => { if (seen++ == interruptedAfter) { stop.Cancel(); } });
        interrupted.CancellationToken = stop.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(interrupted).Fit(train));
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(["fit.ckpt"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));

        var resumedEpochs = new List<EpochMetrics>();
        using var resumed = ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(checkpoint, resumedEpochs.Add)).Fit(train);

        Assert.Equal(5 - interruptedAfter - 1, resumedEpochs.Count);
        Assert.Equal(Scores(uninterrupted, test), Scores(resumed, test));
        Assert.Equal(uninterrupted.Summary.Training.Select(e => e.Loss), resumed.Summary.Training.Select(e => e.Loss));
        Assert.Equal(uninterrupted.Summary.FineTuning.Select(e => e.Loss), resumed.Summary.FineTuning.Select(e => e.Loss));
        Assert.Equal(uninterrupted.Summary.TrainingOptions, resumed.Summary.TrainingOptions);
    }

    [Fact]
    public void AFinishedCheckpointReturnsTheSameModelWithoutTrainingAgain()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 128);
        var test = FashionMnistSubset.Test(ml, 50);
        using var first = ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(folder.File("done.ckpt"))).Fit(train);
        var again = new List<EpochMetrics>();

        using var second = ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(folder.File("done.ckpt"), again.Add)).Fit(train);

        Assert.Empty(again);
        Assert.Equal(Scores(first, test), Scores(second, test));
    }

    [Fact]
    public void ACheckpointOfAnotherSeedOrOtherDataIsRefusedSayingWhatDiffers()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 128);
        var path = folder.File("run.ckpt");
        ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(path)).Fit(train).Dispose();
        var otherSeed = Options(path);
        otherSeed.Seed = 4;

        var seed = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(otherSeed).Fit(train));
        var data = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(path)).Fit(FashionMnistSubset.Train(ml, 96)));

        Assert.Equal(nameof(ElectrostaticCnnTrainer.Options.CheckpointPath), seed.ParamName);
        Assert.Contains(path, seed.Message, StringComparison.Ordinal);
        Assert.Contains("seed 3", seed.Message, StringComparison.Ordinal);
        Assert.Contains("seed 4", seed.Message, StringComparison.Ordinal);
        Assert.Contains("training data SHA-256", data.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotACheckpointIsReportedAsInvalidDataNamingIt()
    {
        using var folder = new TempFolder();
        var path = folder.File("corrupt.ckpt");
        File.WriteAllBytes(path, [1, 2, 3]);
        var ml = new MLContext(seed: 1);

        var error = Assert.Throws<InvalidDataException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(path)).Fit(FashionMnistSubset.Train(ml, 64)));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointNeedsAFixedSeedAndAFileName()
    {
        var noSeed = Options("run.ckpt");
        noSeed.Seed = null;
        var ml = new MLContext(seed: 1);

        var seed = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(noSeed));
        var empty = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(Options(" ")));

        Assert.Equal(nameof(ElectrostaticCnnTrainer.Options.CheckpointPath), seed.ParamName);
        Assert.Contains("Seed", seed.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(ElectrostaticCnnTrainer.Options.CheckpointPath), empty.ParamName);
    }

    private static float[][] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray())];
}
