using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

[Trait("Category", "Slow")]
public sealed class CrossValidationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void CrossValidateTrainsAndEvaluatesOneModelPerFold()
    {
        var ml = new MLContext(seed: 1);
        var data = FashionMnistSubset.Train(ml, 600);
        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options
        {
            Epochs = 1,
            FineTuneEpochs = 1,
            BatchSize = 20,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            WarmupEpochs = 0,   // one epoch in all: a warm-up would spend it at half the rate on average
        });

        var folds = ml.MulticlassClassification.CrossValidate(data, trainer, numberOfFolds: 2);

        output.WriteLine(string.Join(", ", folds.Select(f => $"fold {f.Fold}: accuracy {f.Metrics.MicroAccuracy:F3}")));
        Assert.Equal(2, folds.Count);
        Assert.Equal(600, folds.Sum(f => f.Metrics.ConfusionMatrix.Counts.Sum(row => row.Sum())));
        Assert.All(folds, f =>
        {
            Assert.IsType<ElectrostaticCnnTransformer>(f.Model);
            Assert.True(f.Metrics.MicroAccuracy > 0.35, $"fold {f.Fold}: accuracy {f.Metrics.MicroAccuracy} (chance is 0.1)");
        });

        // The MLContext seed makes each fold's training seed, so the two folds are different models.
        Assert.NotEqual(folds[0].Metrics.LogLoss, folds[1].Metrics.LogLoss);
    }
}
