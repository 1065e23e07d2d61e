using System.Globalization;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>One-line descriptions of trainer options for the header of a job (the trained model's own line is <c>Summary.TrainingOptions</c>).</summary>
internal static class OptionsText
{
    /// <summary>e.g. "SmallCnn, 4 epochs, batch 128, lr 0:0.02,3:0.002 (1 warm-up epoch), SGD(0.9, 0), plan 0.5 rank folded compensate, seed 1".</summary>
    public static string Training(ElectrostaticCnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warmup = options.WarmupEpochs > 0 ? $" ({options.WarmupEpochs} warm-up epoch{(options.WarmupEpochs > 1 ? "s" : string.Empty)})" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"{options.Architecture}, {options.Epochs} epochs, batch {options.BatchSize}, lr {options.LearningRateSchedule}{warmup}, SGD({options.Momentum}, {options.WeightDecay}){(options.Augment ? ", augmented" : string.Empty)}, plan {options.PruningPlan}, seed {options.Seed}");
    }

    /// <summary>The regularizer with its settings as the library writes them, e.g. "L1-norm (rate 0.01)"; "plain (no regularizer)" for null.</summary>
    public static string Regularizer(PruningRegularizer.OptionsBase? regularizer) => regularizer?.ToString() ?? "plain (no regularizer)";
}
