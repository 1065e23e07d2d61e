using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Prunes a trained model (no retraining, no fine-tuning) and evaluates it with ML.NET.</summary>
internal static class PrunedEvaluation
{
    /// <summary>
    /// The plan the paper sweeps for a ratio: GReg's <c>[0:0, 1-n:r]</c> for VGG (first conv kept), otherwise the ratio on
    /// every prunable conv; ranked and compensated the way <paramref name="trained"/> was pruned.
    /// </summary>
    public static PruningPlan PlanForRatio(ElectrostaticCnnTransformer trained, double ratio)
    {
        ArgumentNullException.ThrowIfNull(trained);
        return PruningPlan.PaperSweep(trained.Summary.Architecture, ratio).WithRanking(trained.PruningPlan.Ranking).WithCompensation(trained.PruningPlan.Compensate);
    }

    /// <summary>Top-1 accuracy (ML.NET's micro accuracy) of <paramref name="model"/> on <paramref name="test"/>.</summary>
    public static double Accuracy(MLContext mlContext, ITransformer model, IDataView test)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        return mlContext.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
    }

    /// <summary>Prunes <paramref name="trained"/>'s dense network by <paramref name="plan"/> and measures cost and accuracy.</summary>
    public static SweepPoint Measure(MLContext mlContext, ElectrostaticCnnTransformer trained, PruningPlan plan, IDataView test)
    {
        ArgumentNullException.ThrowIfNull(trained);
        // Each pruned copy holds its own weights; release them now rather than when the GC finds them.
        using var pruned = trained.Prune(plan);
        var summary = pruned.Summary;
        return new SweepPoint(double.NaN, summary.Pruned.Parameters, summary.Pruned.Flops, summary.Speedup, Accuracy(mlContext, pruned, test));
    }

    /// <summary>
    /// The paper's Figure 2 curve of one trained model: pruned at every ratio (by <paramref name="planForRatio"/>, or the way
    /// the model was pruned), evaluated without fine-tuning; with <paramref name="calibrationData"/> each pruned network's
    /// BatchNorm statistics are re-estimated on it first.
    /// </summary>
    public static MethodSweep Sweep(
        string method,
        ElectrostaticCnnTransformer trained,
        IReadOnlyList<double> ratios,
        IDataView test,
        IProgressLine line,
        CancellationToken cancellationToken,
        Func<double, PruningPlan>? planForRatio = null,
        IDataView? calibrationData = null)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(line);
        var progress = new SynchronousProgress<PruningSweepRow>(row => line.Advance(1, $"{method} @ {row.Ratio:0.##}: {Units.Percent(row.Top1Accuracy)} ({Units.Speedup(row.Speedup)})"));
        var rows = trained.Sweep(test, ratios, planForRatio, ColumnNames.Label, progress, cancellationToken, calibrationData);
        return new MethodSweep(method, [.. rows.Select(r => new SweepPoint(r.Ratio, r.Parameters, r.Flops, r.Speedup, r.Top1Accuracy))]);
    }
}
