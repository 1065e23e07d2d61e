using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary><see cref="ElectrostaticCnnTransformer.FineTune(IDataView, ElectrostaticCnnTransformer.FineTuneOptions?)"/>: the one fine-tuning path.</summary>
[Trait("Category", "Slow")]
public sealed class FineTuneTests
{
    [Fact]
    public void FineTuningAHeavilyPrunedModelRecoversAccuracyThatPruningLost()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 3000);
        var test = FashionMnistSubset.Test(ml, 1000);
        var options = SmallTrainerOptions.Create();
        // Plain training of the full network alone (no any-ratio training, which would prepare the 0.8-pruned network too),
        // so that pruning 80% loses accuracy for fine-tuning to recover.
        options.Regularizer = null;
        options.AnyRatio = null;
        options.LearningRateSchedule = LearningRateSchedule.Constant(0.05);
        options.BatchSize = 64;
        options.WarmupEpochs = 0;
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        using var pruned = model.Prune(PruningPlan.Uniform(0.8));
        double dense = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        double before = ml.MulticlassClassification.Evaluate(pruned.Transform(test)).MicroAccuracy;

        using var tuned = pruned.FineTune(train, new ElectrostaticCnnTransformer.FineTuneOptions { Epochs = 1, BatchSize = 64, Seed = 2, ValidationSet = test });
        double after = ml.MulticlassClassification.Evaluate(tuned.Transform(test)).MicroAccuracy;

        Assert.True(dense > 0.6, $"dense accuracy {dense}");
        Assert.True(before < dense - 0.05, $"pruning 80% of every layer kept {before} of {dense}");
        Assert.True(after > before + 0.02, $"before fine-tuning {before}, after {after}");
        // The paper's fine-tuning: P2 (0.01 until epoch 10), and the reported validation accuracy is the returned model's.
        Assert.Equal(0.01, tuned.Summary.FineTuning[0].LearningRate);
        Assert.Equal(after, tuned.Summary.FineTuning[0].ValidationAccuracy!.Value, 9);
    }

    [Fact]
    public void TheFineTuneDefaultsAreThePapersSgdWithMomentumWeightDecayAndP2()
    {
        var options = new ElectrostaticCnnTransformer.FineTuneOptions();

        Assert.Equal((0.9, 5e-4), (options.Momentum, options.WeightDecay));
        Assert.Equal(LearningRateSchedule.P2.ToString(), options.LearningRateSchedule.ToString());
        Assert.Equal(new ElectrostaticCnnTrainer.Options().FineTuneSchedule.ToString(), options.LearningRateSchedule.ToString());
        Assert.Equal(new ElectrostaticCnnTrainer.Options().FineTuneWeightDecay, options.WeightDecay);
    }
}
