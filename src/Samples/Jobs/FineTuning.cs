using ElectrostaticPruning.Samples.Experiments;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Data;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>
/// Prunes a trained model by a plan and fine-tunes the pruned network in place with the training engine (Table 1's
/// "ft" stage), starting from the same training run: the paper's point is that any plan can be chosen after training.
/// </summary>
internal static class FineTuning
{
    /// <summary>Prunes <paramref name="trained"/> by <paramref name="plan"/> and fine-tunes the result on <paramref name="train"/>.</summary>
    /// <returns>The fine-tuned transformer (scores with the fine-tuned weights) and the fine-tuning history.</returns>
    public static (ElectrostaticCnnTransformer Model, TrainingHistory History) PruneAndFineTune(
        ElectrostaticCnnTransformer trained,
        PruningPlan plan,
        IDataView train,
        TrainingRecipe recipe,
        int seed,
        TrainingDevice device,
        IProgressLine line,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(line);
        var pruned = trained.Prune(plan);
        return (pruned, FineTuneInPlace(pruned, train, recipe, seed, device, line, cancellationToken));
    }

    /// <summary>Fine-tunes the network <paramref name="model"/> scores with, in place, then returns it to evaluation mode.</summary>
    public static TrainingHistory FineTuneInPlace(
        ElectrostaticCnnTransformer model, IDataView train, TrainingRecipe recipe, int seed, TrainingDevice device, IProgressLine line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        var network = model.Network;
        var dataset = ReadDataset(train, network.InputShape, network.ClassCount, cancellationToken);
        var options = new TrainingOptions
        {
            Epochs = recipe.Epochs,
            BatchSize = Math.Min(recipe.BatchSize, dataset.Count),
            Schedule = LibraryOptions.ParseSchedule(recipe.Schedule),
            Momentum = recipe.Momentum,
            WeightDecay = recipe.WeightDecay,
            Augment = recipe.Augment,
            Regularizer = RegularizerKind.None,
            Seed = seed,
            Device = device,
        };
        var history = FineTuner.FineTune(network, dataset, null, options, new LineProgress(line, recipe.Epochs), cancellationToken);

        // The scorer runs the network in whatever mode it is in; training left it in training mode (BatchNorm!).
        network.eval();
        return history;
    }

    /// <summary>Reads the Features / Label columns of <paramref name="data"/> into the training engine's in-memory form.</summary>
    public static ImageDataset ReadDataset(IDataView data, Microsoft.ML.ElectrostaticPruning.Models.ImageShape shape, int classCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var features = data.Schema.GetColumnOrNull(ColumnNames.Features)
            ?? throw new ArgumentException($"The data has no '{ColumnNames.Features}' column.", nameof(data));
        var label = data.Schema.GetColumnOrNull(ColumnNames.Label)
            ?? throw new ArgumentException($"The data has no '{ColumnNames.Label}' column.", nameof(data));
        var (values, labels) = TrainingDataReader.Read(data, features, label, shape.Size, "fine-tuning data", cancellationToken);
        return new ImageDataset(values, labels, shape, classCount);
    }

    private sealed class LineProgress(IProgressLine line, int epochs) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value) => line.Advance(1, EpochStatus.Format(value, epochs, "fine-tune"));
    }
}
