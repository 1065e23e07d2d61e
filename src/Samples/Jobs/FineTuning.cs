using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Experiments;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>
/// Prunes a trained model by a plan and fine-tunes the result (Table 1's "ft" stage) through the transformer's public
/// <c>FineTune</c>, which returns a new transformer: the paper's point is that any plan can be chosen after training.
/// </summary>
internal static class FineTuning
{
    /// <summary>Prunes <paramref name="trained"/> by <paramref name="plan"/> and fine-tunes the result on <paramref name="train"/>.</summary>
    /// <returns>The fine-tuned transformer (the caller disposes it).</returns>
    public static ElectrostaticCnnTransformer PruneAndFineTune(
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
        using var pruned = trained.Prune(plan);
        return FineTune(pruned, train, recipe, seed, device, line, cancellationToken);
    }

    /// <summary>Fine-tunes <paramref name="model"/> with <paramref name="recipe"/>; <paramref name="model"/> is unchanged.</summary>
    /// <returns>The fine-tuned transformer (the caller disposes it).</returns>
    public static ElectrostaticCnnTransformer FineTune(
        ElectrostaticCnnTransformer model, IDataView train, TrainingRecipe recipe, int seed, TrainingDevice device, IProgressLine line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(line);
        return model.FineTune(train, new ElectrostaticCnnTransformer.FineTuneOptions
        {
            Epochs = recipe.Epochs,
            BatchSize = recipe.BatchSize,
            LearningRateSchedule = LibraryOptions.ParseSchedule(recipe.Schedule),
            Momentum = recipe.Momentum,
            WeightDecay = recipe.WeightDecay,
            Augment = recipe.Augment,
            Seed = seed,
            Device = device,
            ProgressCallback = metrics => line.Advance(1, EpochStatus.Format(metrics, recipe.Epochs, "fine-tune")),
            CancellationToken = cancellationToken,
        });
    }
}
