using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>A transformer never changes after construction, derived ones are new objects, and Dispose frees native memory.</summary>
[Trait("Category", "Slow")]
public sealed class TransformerLifetimeTests
{
    [Fact]
    public void FineTuningReturnsANewTransformerAndLeavesTheOriginalScoringExactlyAsBefore()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 256);
        var test = FashionMnistSubset.Test(ml, 200);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        var before = Scores(model, test);

        using var tuned = model.FineTune(train, new ElectrostaticCnnTransformer.FineTuneOptions { Epochs = 2, BatchSize = 32, Seed = 5 });

        Assert.NotSame(model, tuned);
        Assert.Equal(before, Scores(model, test));
        Assert.NotEqual(before, Scores(tuned, test));
        Assert.Empty(model.Summary.FineTuning);
        Assert.Equal(2, tuned.Summary.FineTuning.Count);
        Assert.Equal(model.PruningPlan.ToString(), tuned.PruningPlan.ToString());
        Assert.Equal(model.Summary.Pruned.Parameters, tuned.Summary.Pruned.Parameters);
    }

    [Fact]
    public void FineTuningRejectsALabelWithAnotherNumberOfClassesNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        var threeClasses = ml.Data.FilterRowsByKeyColumnFraction(train, "Label", 0, 0.3);
        var rekeyed = ml.Transforms.Conversion.MapKeyToValue("LabelValue", "Label")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "LabelValue"))
            .Fit(threeClasses).Transform(threeClasses);

        var error = Assert.Throws<ArgumentException>(() => model.FineTune(rekeyed));

        Assert.Contains("'Label'", error.Message);
        Assert.Contains("fine-tuning data", error.Message);
        Assert.Contains("3 classes, the model 10", error.Message);
    }

    [Fact]
    public void ADisposedTransformerRefusesWorkWhileTransformersDerivedFromItKeepScoring()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 128);
        var test = FashionMnistSubset.Test(ml, 50);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        using var derived = model.Prune(PruningPlan.Uniform(0.3));
        var expected = Scores(derived, test);

        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Transform(test));
        Assert.Throws<ObjectDisposedException>(() => model.Prune(PruningPlan.Uniform(0.2)));
        Assert.Throws<ObjectDisposedException>(() => model.FineTune(train));
        Assert.Throws<ObjectDisposedException>(() => model.GetRowToRowMapper(test.Schema));
        Assert.Throws<ObjectDisposedException>(() => ml.Model.Save(model, test.Schema, new MemoryStream()));
        Assert.Equal(expected, Scores(derived, test));
        using var again = derived.Prune(PruningPlan.Uniform(0.5));
        Assert.Equal(10, Scores(again, test)[0].Length);
    }

    [Fact]
    public void NativeMemoryStaysFlatOverTwentyFitTransformPruneFineTuneDisposeCycles()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        var test = FashionMnistSubset.Test(ml, 64);
        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create());
        var live = new List<long>();
        var resident = new List<long>();
        for (int cycle = 0; cycle < 20; cycle++)
        {
            using (var model = trainer.Fit(train))
            using (var pruned = model.Prune(PruningPlan.Uniform(0.7)))
            using (var tuned = pruned.FineTune(train, new ElectrostaticCnnTransformer.FineTuneOptions { Epochs = 1, BatchSize = 32, Seed = 1 }))
            {
                _ = ml.MulticlassClassification.Evaluate(tuned.Transform(test)).MicroAccuracy;
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            live.Add(DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
            resident.Add(Process.GetCurrentProcess().WorkingSet64);
        }

        // After the first cycles (oneDNN's kernel caches, ML.NET's lazy state), nothing may accumulate.
        Assert.True(live[^1] <= live[2], $"live tensors per cycle: {string.Join(", ", live)}");
        long growth = resident[^1] - resident[2];
        Assert.True(growth < 150L << 20, $"working set grew by {growth >> 20} MiB from cycle 3 to 20: {string.Join(", ", resident.Select(r => r >> 20))} MiB");
    }

    private static float[][] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray())];
}
