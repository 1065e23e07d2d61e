using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Examples;

/// <summary>
/// <c>Options.CheckpointPath</c>: Fit writes a checkpoint after every epoch, and a Fit with the same options and data
/// continues after the last completed epoch, with the result of a run that was never interrupted.
/// </summary>
public static class CheckpointAndResume
{
    /// <summary>Interrupts a 3-epoch Fit after its first epoch, then runs it again; returns the epochs each Fit trained.</summary>
    /// <param name="dataFolder">A folder with train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz (the repository's data/fashion-mnist).</param>
    /// <param name="checkpointPath">The checkpoint file; it must not exist yet.</param>
    public static (int BeforeInterruption, int AfterResume) Example(string dataFolder, string checkpointPath)
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.TakeRows(
            mlContext.Data.LoadFromIdxFiles(Path.Combine(dataFolder, "train-images-idx3-ubyte.gz"), Path.Combine(dataFolder, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist),
            600);
        int epochs = 0;
        using var interrupt = new CancellationTokenSource();
        var options = new ElectrostaticCnnTrainer.Options
        {
            Epochs = 3,
            BatchSize = 50,
            LearningRateSchedule = LearningRateSchedule.Parse("0:0.02,2:0.002"),
            Seed = 1, // a checkpoint needs a fixed seed: the resumed run draws the same batches
            CheckpointPath = checkpointPath,
        };

        // 1. Stop after the first epoch, as a killed process would.
        options.CancellationToken = interrupt.Token;
        options.ProgressCallback = _ =>
        {
            epochs++;
            interrupt.Cancel();
        };
        try
        {
            mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train).Dispose();
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"Interrupted after {epochs} epoch(s); {checkpointPath} holds them.");
        }

        // 2. The same options and data: Fit continues from the checkpoint.
        int before = epochs;
        epochs = 0;
        options.ProgressCallback = _ => epochs++;
        options.CancellationToken = CancellationToken.None;
        using var model = mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        Console.WriteLine($"Resumed: {epochs} more epoch(s), {model.Summary.Training.Count} in the model's history, pruned {model.Summary.Speedup:F2}x.");
        return (before, epochs);
    }
}
