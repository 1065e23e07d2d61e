using Microsoft.ML.ElectrostaticPruning.Models;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>The public Figure 2 sweep: one row per ratio, each scored by the transformer that <c>Prune</c> returns.</summary>
[Trait("Category", "Slow")]
public sealed class SweepTests
{
    [Fact]
    public void EachRowIsTheAccuracyOfTheTransformerPruneReturnsForThatRatioPrunedTheWayTheModelWas()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 400);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(FashionMnistSubset.Train(ml, 800));
        double before = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        var reported = new List<PruningSweepRow>();

        var rows = model.Sweep(test, [0, 0.5, 0.9], progress: new SynchronousProgress<PruningSweepRow>(reported.Add));

        Assert.Equal([0, 0.5, 0.9], rows.Select(r => r.Ratio));
        Assert.Equal(rows, reported);
        Assert.Equal(1.0, rows[0].Speedup);
        Assert.Equal(50_090, rows[0].Complexity.Parameters);
        // 0.5: conv1 32 -> 16, conv2 64 -> 32: 144 + 4,608 + 32*49*10 + 10 parameters.
        Assert.Equal(144 + 4_608 + 15_680 + 10, rows[1].Complexity.Parameters);
        Assert.True(rows[2].Speedup > rows[1].Speedup && rows[1].Speedup > 1, $"speedups {rows[1].Speedup}, {rows[2].Speedup}");
        for (int i = 0; i < rows.Count; i++)
        {
            var plan = model.PruningPlan.SweepAt(CnnArchitecture.SmallCnn, rows[i].Ratio);
            using var pruned = model.Prune(plan);
            Assert.Equal(plan.ToString(), rows[i].Plan.ToString());
            Assert.Equal(ml.MulticlassClassification.Evaluate(pruned.Transform(test)).MicroAccuracy, rows[i].Top1Accuracy, 12);
        }

        Assert.True(rows[2].Top1Accuracy < rows[0].Top1Accuracy, $"0.9 {rows[2].Top1Accuracy} vs dense {rows[0].Top1Accuracy}");
        Assert.Equal(before, ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy);
    }

    [Fact]
    public void ARatioOutsideZeroToOneOrNoRatioIsRejectedBeforeAnyPruning()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(FashionMnistSubset.Train(ml, 200));
        var test = FashionMnistSubset.Test(ml, 50);

        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => model.Sweep(test, [0.5, 1]));
        var none = Assert.Throws<ArgumentException>(() => model.Sweep(test, []));

        Assert.Equal("ratios", outside.ParamName);
        Assert.Contains("[0, 1)", outside.Message, StringComparison.Ordinal);
        Assert.Contains("At least one pruning ratio", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePaperSweepKeepsTheFirstVggConvAndPrunesEveryResNetStageButTheStemAndClassifier()
    {
        using var resnet = CnnZoo.Create(CnnArchitecture.ResNet56, new ImageShape(3, 32, 32), 10);

        Assert.Equal("[0:0, 1-15:0.65]", PruningPlan.PaperSweep(CnnArchitecture.Vgg19, 0.65).ToString());
        Assert.Equal("[0:0, 1-7:0.5]", PruningPlan.PaperSweep(CnnArchitecture.Vgg11, 0.5).ToString());
        Assert.Equal(
            PruningPlan.Parse("[0, 0.3, 0.3, 0.3, 0]").LayersToPrune(resnet),
            PruningPlan.PaperSweep(CnnArchitecture.ResNet56, 0.3).LayersToPrune(resnet));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
