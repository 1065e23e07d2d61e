using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>When the penalty starts: half-way for the folded force from random weights, at once otherwise or when asked.</summary>
[Trait("Category", "Slow")]
public sealed class PenaltyStartTests
{
    private static ElectrostaticCnnTrainer.Options FoldedForce(List<EpochMetrics> epochs)
    {
        var options = SmallTrainerOptions.Create();
        options.Epochs = 2;
        options.Regularizer = new FoldedForceRegularizer.Options { ForceRate = 3e-12 };
        options.ProgressCallback = epochs.Add;
        return options;
    }

    [Fact]
    public void TheFoldedForceFromRandomWeightsTrainsTheFirstHalfPlainAndAWarmStartAddsItFromTheFirstEpoch()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 400);
        var fromScratch = new List<EpochMetrics>();
        var warm = new List<EpochMetrics>();

        using var first = ml.MulticlassClassification.Trainers.ElectrostaticCnn(FoldedForce(fromScratch)).Fit(train);
        using var second = ml.MulticlassClassification.Trainers.ElectrostaticCnn(FoldedForce(warm)).Fit(train, first);

        Assert.Equal(0, fromScratch[0].Penalty);
        Assert.True(fromScratch[1].Penalty > 0, $"epoch 1 penalty {fromScratch[1].Penalty}");
        Assert.All(warm, m => Assert.True(m.Penalty > 0, $"warm-start epoch {m.Epoch} penalty {m.Penalty}"));
        Assert.Contains("folded charges, graded by removal probability over ratios 0.1-0.7) from epoch 1 (epochs 0-0 plain)", first.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.DoesNotContain("plain)", second.Summary.TrainingOptions.Split("; warm start")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AnExplicitStartEpochAppliesToEveryRegularizer()
    {
        var ml = new MLContext(seed: 1);
        var epochs = new List<EpochMetrics>();
        var options = SmallTrainerOptions.Create();
        options.Epochs = 2;
        options.Regularizer = new L1Regularizer.Options { StartEpoch = 1 };
        options.ProgressCallback = epochs.Add;

        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(FashionMnistSubset.Train(ml, 200));

        Assert.Equal(0, epochs[0].Penalty);
        Assert.True(epochs[1].Penalty > 0, $"epoch 1 penalty {epochs[1].Penalty}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void AStartEpochOutsideTheTrainingEpochsIsRejectedByName(int start)
    {
        var options = SmallTrainerOptions.Create();
        options.Epochs = 2;
        options.Regularizer = new FoldedForceRegularizer.Options { StartEpoch = start };

        // Checked when the trainer is created, before any data is read.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).MulticlassClassification.Trainers.ElectrostaticCnn(options));

        Assert.Equal("FoldedForceRegularizer.Options.StartEpoch", error.ParamName);
        Assert.Equal(start, error.ActualValue);
        Assert.Contains("[0, 2)", error.Message, StringComparison.Ordinal);
    }
}
