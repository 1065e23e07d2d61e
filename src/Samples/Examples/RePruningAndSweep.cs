using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Examples;

/// <summary>
/// Train once, prune many times: <c>model.Prune(plan)</c> re-prunes the trained dense network by any plan without
/// retraining, and <c>model.Sweep(testData, ratios)</c> measures the accuracy and speedup at every ratio (the paper's Figure 2).
/// </summary>
public static class RePruningAndSweep
{
    /// <summary>Trains on the Fashion-MNIST IDX files in <paramref name="dataFolder"/>, re-prunes the model and returns its sweep.</summary>
    /// <param name="dataFolder">A folder with train-/t10k-images-idx3-ubyte.gz and the labels files (the repository's data/fashion-mnist).</param>
    public static IReadOnlyList<PruningSweepRow> Example(string dataFolder)
    {
        var mlContext = new MLContext(seed: 1);
        IDataView Load(string split, int rows) => mlContext.Data.TakeRows(
            mlContext.Data.LoadFromIdxFiles(Path.Combine(dataFolder, $"{split}-images-idx3-ubyte.gz"), Path.Combine(dataFolder, $"{split}-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist),
            rows);
        var train = Load("train", 1000);
        var test = Load("t10k", 500);

        using var model = mlContext.MulticlassClassification.Trainers
            .ElectrostaticCnn(epochs: 3, batchSize: 50, learningRateSchedule: "0:0.02,2:0.002", pruningPlan: "sweep 0.5 rank folded compensate")
            .Fit(train);

        // Another plan after training: the paper's raw-L1 pruning at a smaller ratio.
        using var lighter = model.Prune(PruningPlan.Parse("0.25"));
        var accuracy = mlContext.MulticlassClassification.Evaluate(lighter.Transform(test)).MicroAccuracy;
        Console.WriteLine($"Re-pruned by {lighter.PruningPlan}: {lighter.Summary.Speedup:F2}x fewer FLOPs, top-1 {accuracy:P2}");

        // Every ratio, pruned the way the model was (folded ranking, compensated), without fine-tuning.
        var rows = model.Sweep(test, [0, 0.25, 0.5, 0.75]);
        foreach (var row in rows)
        {
            Console.WriteLine($"ratio {row.Ratio:0.00}: {row.Parameters,6:N0} parameters, {row.Speedup,5:F2}x, top-1 {row.Top1Accuracy:P2}");
        }

        return rows;
    }
}
