using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Models saved before the options were grouped (issue 18) still load and score exactly as they did.</summary>
[Trait("Category", "Slow")]
public sealed class SavedModelCompatibilityTests
{
    /// <summary>
    /// Saved by the previous main (4822935) with
    /// <c>train --data data/fashion-mnist --train-limit 512 --test-limit 200 --epochs 1 --batch-size 32 --plan 0.5</c>, which
    /// printed "Test top-1: dense 56.50%, pruned by 0.5 38.50% at 3.75x fewer FLOPs" and trained the paper's force.
    /// </summary>
    private static readonly string OldModel = Path.Combine(AppContext.BaseDirectory, "MLNet", "Fixtures", "model-saved-before-grouped-options.zip");

    [Fact]
    public void AModelSavedBeforeTheOptionsWereGroupedLoadsAndScoresAsItDidWhenItWasSaved()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 200);

        var loaded = ml.Model.Load(OldModel, out _);
        var model = Assert.IsType<ElectrostaticCnnTransformer>(loaded is TransformerChain<ITransformer> chain ? chain.LastTransformer : loaded);
        using var dense = model.Prune(PruningPlan.Uniform(0));

        Assert.Equal(0.385, ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy, 12);
        Assert.Equal(0.565, ml.MulticlassClassification.Evaluate(dense.Transform(test)).MicroAccuracy, 12);
        Assert.Equal(3.75, model.Summary.Speedup, 2);
        Assert.Contains("regularizer ElectrostaticForce (alpha_e 1E-09", model.Summary.TrainingOptions, StringComparison.Ordinal);
        (loaded as IDisposable)?.Dispose();
    }
}
