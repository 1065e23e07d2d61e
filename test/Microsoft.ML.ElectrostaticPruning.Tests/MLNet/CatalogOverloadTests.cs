using System.Reflection;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>The simple catalog overload, the options overload and the fine-tuning options share one set of defaults.</summary>
public sealed class CatalogOverloadTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void TheSimpleOverloadWithoutArgumentsGivesTheOptionsDefaults()
    {
        var simple = _ml.MulticlassClassification.Trainers.ElectrostaticCnn().TrainerOptions;
        var defaults = new ElectrostaticCnnTrainer.Options();

        AssertSameProperties(defaults, simple);
        Assert.IsType<FoldedForceRegularizer.Options>(simple.Regularizer);
        AssertSameProperties(defaults.Regularizer!, simple.Regularizer);
        Assert.NotNull(simple.AnyRatio);
        AssertSameProperties(defaults.AnyRatio!, simple.AnyRatio);
    }

    [Fact]
    public void EveryOptionsObjectGetsItsOwnDefaultRegularizer()
    {
        var first = new ElectrostaticCnnTrainer.Options();
        var second = new ElectrostaticCnnTrainer.Options();

        Assert.NotSame(first.Regularizer, second.Regularizer);
        Assert.NotSame(first.AnyRatio, second.AnyRatio);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheDefaultScheduleDecaysWithinTheEpochsTrainedAsP1DoesWithinTwoHundred()
    {
        var options = new ElectrostaticCnnTrainer.Options { Epochs = 4, BatchSize = 32, Regularizer = null, AnyRatio = null, Seed = 1 };
        Assert.Same(LearningRateSchedule.P1Scaled, options.LearningRateSchedule);

        using var model = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(FashionMnistSubset.Train(_ml, 64));

        Assert.Equal([0.1, 0.1, 0.01, 0.001], model.Summary.Training.Select(m => m.LearningRate));
        Assert.Contains("lr 0:0.1,2:0.01,3:0.001 (P1-scaled) (warm-up 1)", model.Summary.TrainingOptions, StringComparison.Ordinal);
    }

    /// <summary>Every public property equal; the regularizer and the any-ratio settings (options objects) by their own properties.</summary>
    private static void AssertSameProperties(object expected, object actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? want = property.GetValue(expected);
            object? got = property.GetValue(actual);
            if (want is PruningRegularizer.OptionsBase or AnyRatioTrainingOptions && got is not null)
            {
                continue;
            }

            Assert.True(Equals(want, got), $"{property.Name}: options {want}, simple overload {got}");
        }
    }

    [Fact]
    public void TheSimpleOverloadPassesScheduleBatchSizeAndFineTuneEpochs()
    {
        var options = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(
            batchSize: 32, learningRateSchedule: "0:0.02,8:0.002", fineTuneEpochs: 3, pruningPlan: "[0, 0.3]", forceRate: 1e-9).TrainerOptions;

        Assert.Equal(32, options.BatchSize);
        Assert.Equal(LearningRateSchedule.Parse("0:0.02,8:0.002").Milestones, options.LearningRateSchedule.Milestones);
        Assert.Equal(3, options.FineTuneEpochs);
        Assert.Equal(PruningPlan.Parse("[0, 0.3]"), options.PruningPlan);
        Assert.Equal(1e-9, Assert.IsType<FoldedForceRegularizer.Options>(options.Regularizer).ForceRate);
    }

    [Fact]
    public void AnUnparsableScheduleInTheSimpleOverloadNamesTheToken()
    {
        var ex = Assert.Throws<FormatException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(learningRateSchedule: "0:fast"));
        Assert.Contains("0:fast", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FineTuningInsideFitAndTheFineTuneCallUseTheSameTable1Settings()
    {
        var fit = new ElectrostaticCnnTrainer.Options();
        var call = new ElectrostaticCnnTransformer.FineTuneOptions();

        Assert.Equal(LearningRateSchedule.P2.Milestones, fit.FineTuneSchedule.Milestones);
        Assert.Equal(call.LearningRateSchedule.Milestones, fit.FineTuneSchedule.Milestones);
        Assert.Equal(call.WeightDecay, fit.FineTuneWeightDecay);
        Assert.Equal(5e-4, call.WeightDecay);
        Assert.Equal(call.Momentum, fit.Momentum);
        Assert.Equal(call.BatchSize, fit.BatchSize);
    }

    [Fact]
    public void ANegativeFineTuneEpochCountIsNamed()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(fineTuneEpochs: -1));
        Assert.Equal("FineTuneEpochs", ex.ParamName);
    }

    [Fact]
    public void ANegativeWarmUpIsNamed()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { WarmupEpochs = -1 }));
        Assert.Equal("WarmupEpochs", ex.ParamName);
    }

    [Fact]
    public void AnInvalidFineTuneScheduleIsNamedAsTheOptionTheUserSet()
    {
        var options = new ElectrostaticCnnTrainer.Options { FineTuneEpochs = 1, FineTuneSchedule = null! };
        var ex = Assert.Throws<ArgumentNullException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(options));
        Assert.Equal("FineTuneSchedule", ex.ParamName);
    }

    [Fact]
    public void AnInvalidFineTuneCallScheduleIsNamedAsTheOptionTheUserSet()
    {
        var options = new ElectrostaticCnnTransformer.FineTuneOptions { LearningRateSchedule = null! };
        var ex = Assert.Throws<ArgumentNullException>(options.Validate);
        Assert.Equal("LearningRateSchedule", ex.ParamName);
    }
}
