using System.Globalization;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>One-line descriptions of trainer options for the header of a job (the trained model's own line is <c>Summary.TrainingOptions</c>).</summary>
internal static class OptionsText
{
    /// <summary>
    /// e.g. "SmallCnn, 4 epochs, batch 128, lr 0:0.02,3:0.002 (1 warm-up epoch), SGD(0.9, 0), plan sweep 0.5 rank folded compensate,
    /// any-ratio sandwich training 0.1-0.7 (...), seed 1"; without the plan and the any-ratio training when
    /// <paramref name="shared"/> (the settings several models share; <see cref="Method"/> gives the rest).
    /// </summary>
    public static string Training(ElectrostaticCnnTrainer.Options options, bool shared = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warmup = options.WarmupEpochs > 0 ? $" ({options.WarmupEpochs} warm-up epoch{(options.WarmupEpochs > 1 ? "s" : string.Empty)})" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"{options.Architecture}, {options.Epochs} epochs, batch {options.BatchSize}, lr {Schedule(options)}{warmup}, SGD({options.Momentum}, {options.WeightDecay}){(options.Augment ? ", augmented" : string.Empty)}{(shared ? string.Empty : PlanAndRange(options))}, seed {options.Seed}");
    }

    /// <summary>The rates a run of the options' epochs uses, with the schedule's name when it scales with them ("0:0.1,5:0.01,7:0.001 (P1-scaled)").</summary>
    private static string Schedule(ElectrostaticCnnTrainer.Options options) =>
        options.LearningRateSchedule.ScalesWithEpochs
            ? $"{options.LearningRateSchedule.ForEpochs(Math.Max(1, options.Epochs))} ({options.LearningRateSchedule})"
            : options.LearningRateSchedule.ToString();

    /// <summary>One model of several: "label: regularizer, plan ..., any-ratio ..." (what <see cref="Training"/> leaves out when shared).</summary>
    public static string Method(string label, ElectrostaticCnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"{label}: {Regularizer(options.Regularizer)}{PlanAndRange(options)}";
    }

    /// <summary>The regularizer with its settings as the library writes them, e.g. "L1-norm (rate 0.01)"; "plain (no regularizer)" for null.</summary>
    public static string Regularizer(PruningRegularizer.OptionsBase? regularizer) => regularizer?.ToString() ?? "plain (no regularizer)";

    private static string PlanAndRange(ElectrostaticCnnTrainer.Options options) =>
        $", plan {options.PruningPlan}{(options.AnyRatio is null ? string.Empty : $", {options.AnyRatio}")}{(options.CalibrationImages > 0 ? string.Empty : ", data-free BatchNorm statistics")}";
}
