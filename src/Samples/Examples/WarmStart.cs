using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Examples;

/// <summary>
/// Warm start, the paper's protocol: train plain, save the model with <c>mlContext.Model.Save</c>, load it back, and continue
/// training it with the electrostatic force through <c>trainer.Fit(data, initialModel)</c>.
/// </summary>
public static class WarmStart
{
    /// <summary>Pretrains, saves, loads and continues training; returns the continued model's summary.</summary>
    /// <param name="dataFolder">A folder with train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz (the repository's data/fashion-mnist).</param>
    /// <param name="modelPath">Where the pretrained model is saved.</param>
    public static ElectrostaticCnnModelSummary Example(string dataFolder, string modelPath)
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.TakeRows(
            mlContext.Data.LoadFromIdxFiles(Path.Combine(dataFolder, "train-images-idx3-ubyte.gz"), Path.Combine(dataFolder, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist),
            1000);

        // 1. Plain cross-entropy training (Regularizer = null), saved like any ML.NET model.
        var plain = new ElectrostaticCnnTrainer.Options { Epochs = 2, BatchSize = 50, LearningRateSchedule = LearningRateSchedule.Constant(0.02), Regularizer = null, Seed = 1 };
        using (var pretrained = mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(plain).Fit(train))
        {
            mlContext.Model.Save(pretrained, train.Schema, modelPath);
        }

        // 2. Load it and continue with the folded force from the first epoch (a warm start's default), pruned by the default plan.
        using var initialModel = (ElectrostaticCnnTransformer)mlContext.Model.Load(modelPath, out _);
        var force = new ElectrostaticCnnTrainer.Options
        {
            Epochs = 2,
            BatchSize = 50,
            LearningRateSchedule = LearningRateSchedule.Parse("0:0.02,1:0.002"),
            WarmupEpochs = 0,
            Regularizer = new FoldedForceRegularizer.Options { ForceRate = 1e-11 },
            Seed = 1,
        };
        using var continued = mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(force).Fit(train, initialModel);

        var summary = continued.Summary;
        Console.WriteLine($"Trained {summary.Training.Count} more epochs; {summary.TrainingOptions}");
        return summary;
    }
}
