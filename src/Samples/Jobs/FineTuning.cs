using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>
/// Prunes a trained model by a plan and fine-tunes the result (Table 1's "ft" stage) through the transformer's public
/// <c>Prune</c> and <c>FineTune</c>, which return new transformers: the paper's point is that any plan can be chosen after training.
/// </summary>
internal static class FineTuning
{
    /// <summary>Prunes <paramref name="trained"/> by <paramref name="plan"/> and fine-tunes the result on <paramref name="train"/>.</summary>
    /// <returns>The fine-tuned transformer (the caller disposes it).</returns>
    public static ElectrostaticCnnTransformer PruneAndFineTune(
        ElectrostaticCnnTransformer trained, PruningPlan plan, IDataView train, ElectrostaticCnnTransformer.FineTuneOptions options, IProgressLine line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trained);
        using var pruned = trained.Prune(plan);
        return FineTune(pruned, train, options, line, cancellationToken);
    }

    /// <summary>
    /// Fine-tunes <paramref name="model"/> with <paramref name="options"/> (their progress callback and cancellation token are
    /// set here); <paramref name="model"/> is unchanged. The library's option errors are reported under the flags.
    /// </summary>
    /// <returns>The fine-tuned transformer (the caller disposes it).</returns>
    public static ElectrostaticCnnTransformer FineTune(
        ElectrostaticCnnTransformer model, IDataView train, ElectrostaticCnnTransformer.FineTuneOptions options, IProgressLine line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(line);
        options.ProgressCallback = metrics => line.Advance(1, EpochStatus.Format(metrics, options.Epochs, "fine-tune"));
        options.CancellationToken = cancellationToken;
        return FlagErrors.Named(() => model.FineTune(train, options), TrainingSettings.OptionFlags);
    }
}
