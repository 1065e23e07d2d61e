namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Every accuracy the trainer reports is the accuracy of what it returns, measured the way that model scores.</summary>
[Trait("Category", "Slow")]
public sealed class ReportedAccuracyTests
{
    [Fact]
    public void TheReportedTrainingAccuracyIsTheReturnedDenseModelsAccuracyOnTheTrainingImages()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 800);
        var options = SmallTrainerOptions.Create();
        options.Epochs = 2;
        options.LearningRateSchedule = LearningRateSchedule.Constant(0.05);   // fast enough for BatchNorm's running statistics to lag
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        using var dense = model.Prune(PruningPlan.Uniform(0));

        // The transformer scores with BatchNorm folded into the convs: the same function up to float rounding, so at most
        // an image on a near-tie may differ.
        double scored = ml.MulticlassClassification.Evaluate(dense.Transform(train)).MicroAccuracy;
        Assert.InRange(Math.Abs(scored - model.Summary.Training.Last!.TrainAccuracy), 0, (1.0 / 800) + 1e-12);
    }

    [Fact]
    public void AValidationSetMakesTheSummaryReportWhatPruningCost()
    {
        var ml = new MLContext(seed: 1);
        var options = SmallTrainerOptions.Create();
        options.ValidationSet = FashionMnistSubset.Test(ml, 300);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(FashionMnistSubset.Train(ml, 600));
        using var dense = model.Prune(PruningPlan.Uniform(0));

        double denseAccuracy = ml.MulticlassClassification.Evaluate(dense.Transform(options.ValidationSet)).MicroAccuracy;
        double prunedAccuracy = ml.MulticlassClassification.Evaluate(model.Transform(options.ValidationSet)).MicroAccuracy;
        string expected = FormattableString.Invariant($"validation top-1 dense {denseAccuracy:P2}, pruned without fine-tuning {prunedAccuracy:P2} ({(denseAccuracy - prunedAccuracy) * 100:F2} points lost)");
        Assert.Contains(expected, model.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.InRange(Math.Abs(model.Summary.Training.Last!.ValidationAccuracy!.Value - denseAccuracy), 0, (1.0 / 300) + 1e-12);
    }
}
