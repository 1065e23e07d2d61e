using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Fit / Evaluate / Save / Load / PredictionEngine / MapKeyToValue on data from the IDX reader.</summary>
[Trait("Category", "Slow")]
[Collection(TrainedFashionModelCollection.Name)]
public sealed class IdxEndToEndTests(TrainedFashionModel fixture)
{
    private readonly MLContext _ml = fixture.Context;

    [Fact]
    public void EvaluateIsWellAboveChanceAndTheConfusionMatrixNamesTheClasses()
    {
        var metrics = _ml.MulticlassClassification.Evaluate(fixture.Model.Transform(fixture.Test));

        Assert.True(metrics.MicroAccuracy > 0.5, $"accuracy {metrics.MicroAccuracy} (chance is 0.1)");
        Assert.Equal(500, metrics.ConfusionMatrix.Counts.Sum(row => row.Sum()));
        string table = metrics.ConfusionMatrix.GetFormattedConfusionTable();
        Assert.Contains("Ankle boot", table);
        Assert.Contains("T-shirt/top", table);
    }

    [Fact]
    public void MapKeyToValueTurnsPredictionsIntoClassNames()
    {
        var scored = fixture.Model.Transform(fixture.Test);
        var mapped = _ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored).Transform(scored);

        var names = mapped.GetColumn<string>("PredictedLabel").ToArray();
        var keys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.Equal(keys.Select(k => KnownClassNames.FashionMnist[(int)k - 1]), names);
        Assert.True(names.Distinct().Count() >= 5, "predictions should cover several classes");
    }

    [Fact]
    public void PredictionEngineMatchesTransformOnTheFittedAndTheLoadedPipeline()
    {
        using var temp = new TempFolder();
        var pipeline = new TransformerChain<ITransformer>(fixture.Model, _ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(fixture.Model.Transform(fixture.Train)));
        _ml.Model.Save(pipeline, fixture.Train.Schema, temp.File("model.zip"));
        var loaded = _ml.Model.Load(temp.File("model.zip"), out _);

        var expected = pipeline.Transform(fixture.Test);
        var expectedScores = expected.GetColumn<float[]>("Score").Take(20).ToArray();
        var expectedLabels = expected.GetColumn<string>("PredictedLabel").Take(20).ToArray();
        var images = _ml.Data.CreateEnumerable<FashionImage>(fixture.Test, reuseRowObject: false).Take(20).ToArray();

        foreach (var model in new[] { pipeline, loaded })
        {
            // A PredictionEngine owns its model: disposing it disposes the transformers (ML.NET's rule), so the engine
            // over the shared fixture's model is left to the GC, and the one over the loaded copy frees it.
            var engine = _ml.Model.CreatePredictionEngine<FashionImage, FashionPrediction>(model);
            using var owned = ReferenceEquals(model, loaded) ? engine : null;
            for (int i = 0; i < images.Length; i++)
            {
                var prediction = engine.Predict(images[i]);
                Assert.Equal(expectedScores[i], prediction.Score, (a, b) => Math.Abs(a - b) < 1e-5f);
                Assert.Equal(expectedLabels[i], prediction.PredictedLabel);
            }
        }
    }

    [Fact]
    public void EveryEpochReachesMlContextLogAndTheTypedCallback()
    {
        // One training epoch, then one fine-tuning epoch of the pruned network (no penalty).
        Assert.Equal(2, fixture.Callbacks.Count);
        Assert.Equal(new[] { 0, 0 }, fixture.Callbacks.Select(m => m.Epoch));
        Assert.Equal(new[] { 0.01, 0.01 }, fixture.Callbacks.Select(m => m.LearningRate));
        Assert.True(fixture.Callbacks[0].Penalty > 0);
        Assert.Equal(0, fixture.Callbacks[1].Penalty);
        Assert.Contains(fixture.Log, m => m.StartsWith("training epoch 1/1: lr 0.01, loss ", StringComparison.Ordinal));
        Assert.Contains(fixture.Log, m => m.StartsWith("pruned with plan sweep 0.5 rank folded compensate: 50,090 -> 20,442 parameters", StringComparison.Ordinal));
        Assert.Contains(fixture.Log, m => m.StartsWith("fine-tuning epoch 1/1: lr 0.01, loss ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSummaryReportsKeptFiltersParametersFlopsAndHistory()
    {
        var summary = fixture.Model.Summary;

        Assert.Equal(CnnArchitecture.SmallCnn, summary.Architecture);
        Assert.Equal(new ImageShape(1, 28, 28), summary.InputShape);
        Assert.Equal(KnownClassNames.FashionMnist, summary.ClassNames);
        Assert.Equal(
            new[] { (0, "conv1", 0.5, 32, 16), (1, "conv2", 0.5, 64, 32) },
            summary.Layers.Select(l => (l.LayerIndex, l.Name, l.Ratio, l.Filters, l.KeptFilters)));

        // The charge statistics, recomputed from the dense weights: the source's share of the layer's L1 norm, and how
        // many of the removed (smallest-norm) filters have the source's sign.
        foreach (var layer in summary.Layers)
        {
            var weight = fixture.Model.DenseNetwork.GetConv(fixture.Model.DenseNetwork.GetLayer(layer.LayerIndex)).weight!;
            var flat = weight.detach().to(TorchSharp.torch.ScalarType.Float64).flatten(1);
            double[] norms = flat.abs().sum(1).data<double>().ToArray();
            double[] sums = flat.sum(1).data<double>().ToArray();
            int source = Array.IndexOf(norms, norms.Max());
            var layerInfo = fixture.Model.DenseNetwork.GetLayer(layer.LayerIndex);
            double[] ranking = fixture.Model.PruningPlan.Ranking == FilterRanking.FoldedL1Norm
                ? FilterPruner.FoldedFilterNorms(weight, fixture.Model.DenseNetwork.GetBatchNorm(layerInfo))
                : norms;
            var removed = Enumerable.Range(0, norms.Length).OrderBy(n => ranking[n]).ThenByDescending(n => n).Take(layer.RemovedFilters);
            Assert.Equal(norms[source] / norms.Sum(), layer.SourceNormShare, 12);
            Assert.Equal(removed.Count(n => Math.Sign(sums[n]) == Math.Sign(sums[source])), layer.RemovedWithSourceSign);
            Assert.InRange(layer.DeadChannels, 0, layer.Filters);
        }

        // SmallCnn, bias-free 3x3 convs, Linear(C2 * 7 * 7 -> 10):
        // dense  params 1*32*9 + 32*64*9 + 64*49*10 + 10 = 288 + 18432 + 31360 + 10 = 50090
        //        MACs   288*28*28 + 18432*14*14 + 31360 = 225792 + 3612672 + 31360 = 3869824
        // pruned params 1*16*9 + 16*32*9 + 32*49*10 + 10 = 144 + 4608 + 15680 + 10 = 20442
        //        MACs   144*784 + 4608*196 + 15680 = 112896 + 903168 + 15680 = 1031744
        Assert.Equal(new ModelComplexity(50090, 3869824), summary.Dense);
        Assert.Equal(new ModelComplexity(20442, 1031744), summary.Pruned);
        Assert.Equal(3869824.0 / 1031744, summary.Speedup, 12);
        Assert.Equal(fixture.Callbacks[..1], summary.Training);
        Assert.Equal(fixture.Callbacks[1..], summary.FineTuning);
        Assert.Contains("regularizer folded force (alpha_e 1E-12, k_e 8.99E+09, folded charges, graded by removal probability over ratios 0.1-0.7), plan", summary.TrainingOptions);
    }

    [Fact]
    public void PruneDerivesAnotherModelFromTheSameTrainingRunWithoutChangingThisOne()
    {
        var before = fixture.Model.Transform(fixture.Test).GetColumn<float[]>("Score").First();

        using var harder = fixture.Model.Prune(PruningPlan.Uniform(0.75));

        Assert.Equal(new[] { 8, 16 }, harder.Summary.Layers.Select(l => l.KeptFilters)); // 32 - ceil(24), 64 - ceil(48)
        Assert.Equal(fixture.Model.Summary.Dense, harder.Summary.Dense);
        Assert.True(harder.Summary.Speedup > fixture.Model.Summary.Speedup);
        var metrics = _ml.MulticlassClassification.Evaluate(harder.Transform(fixture.Test));
        Assert.InRange(metrics.MicroAccuracy, 0.0, 1.0);
        Assert.Equal(before, fixture.Model.Transform(fixture.Test).GetColumn<float[]>("Score").First());
        Assert.NotEqual(before, harder.Transform(fixture.Test).GetColumn<float[]>("Score").First());
    }

    [Fact]
    public void APlanWithRoundKeepsFilterCountsInMultiplesAndSaysSoInTheSummary()
    {
        using var rounded = fixture.Model.Prune(PruningPlan.Parse("0.75 round 16"));

        Assert.Equal(new[] { 16, 16 }, rounded.Summary.Layers.Select(l => l.KeptFilters)); // 8 -> 16, 16 stays
        Assert.Equal("0.75 round 16", rounded.Summary.PruningPlan.ToString());
        Assert.True(rounded.Summary.Speedup < fixture.Model.Prune(PruningPlan.Uniform(0.75)).Summary.Speedup);
    }

    [Fact]
    public void TheEstimatorOutputSchemaHasTheScoreColumnsWithTheirAnnotations()
    {
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 1);
        var shape = trainer.GetOutputSchema(SchemaShapes.Of(fixture.Train.Schema));

        Assert.True(Find(shape, "Score", out var score));
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.True(Find(score.Annotations, "SlotNames", out _));
        Assert.True(Find(shape, "PredictedLabel", out var predicted));
        Assert.True(predicted.IsKey);
        Assert.True(Find(predicted.Annotations, "KeyValues", out _));

        // MapKeyToValue's own schema check accepts what the trainer promises.
        var chain = trainer.Append(_ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        Assert.True(Find(chain.GetOutputSchema(SchemaShapes.Of(fixture.Train.Schema)), "PredictedLabel", out var mapped));
        Assert.False(mapped.IsKey);
    }

    private static bool Find(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        column = shape.FirstOrDefault(c => c.Name == name);
        return column.Name == name;
    }

    /// <summary>PredictionEngine input: the IDX reader's Features column.</summary>
    public sealed class FashionImage
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>PredictionEngine output after MapKeyToValue.</summary>
    public sealed class FashionPrediction
    {
        public float[] Score { get; set; } = [];

        public string PredictedLabel { get; set; } = string.Empty;
    }
}
