using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// Prunes one trained dense network at a list of ratios without fine-tuning and evaluates each pruned network: the
/// paper's Figure 2 curves (run it on electrostatic-, L1- and plain-trained models). The dense network is never changed.
/// </summary>
internal static class PruningSweep
{
    /// <summary>The paper's ratios: 0, 0.1, ..., 0.9.</summary>
    public static IReadOnlyList<double> DefaultRatios { get; } = [.. Enumerable.Range(0, 10).Select(i => i / 10.0)];

    /// <summary>
    /// The plan the paper sweeps for <paramref name="network"/> at <paramref name="ratio"/>: for VGG GReg's
    /// <c>[0:0, 1-n:ratio]</c> (the first conv is kept whole); for every other network the ratio on every prunable conv
    /// (for ResNets the same as <c>[0, r, r, r, 0]</c>).
    /// </summary>
    public static PruningPlan PaperPlan(CnnNetwork network, double ratio)
    {
        ArgumentNullException.ThrowIfNull(network);
        return PruningPlan.PaperSweep(network.Architecture, ratio);
    }

    /// <summary>Prunes <paramref name="dense"/> at each ratio and measures cost and top-1 accuracy on <paramref name="evaluation"/>.</summary>
    /// <param name="dense">The trained network; never modified.</param>
    /// <param name="evaluation">Test images; same shape and class count as the network.</param>
    /// <param name="ratios">Ratios in [0, 1); default <see cref="DefaultRatios"/>.</param>
    /// <param name="planForRatio">Turns a ratio into a plan; default <see cref="PaperPlan"/>.</param>
    /// <param name="batchSize">Evaluation batch size; at least 1. Default 256.</param>
    /// <param name="progress">Receives each row as soon as it is measured.</param>
    /// <param name="cancellationToken">Checked before each ratio.</param>
    /// <returns>One row per ratio, in the given order.</returns>
    public static IReadOnlyList<PruningSweepRow> Run(
        CnnNetwork dense,
        ImageDataset evaluation,
        IReadOnlyList<double>? ratios = null,
        Func<double, PruningPlan>? planForRatio = null,
        int batchSize = 256,
        IProgress<PruningSweepRow>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (evaluation.Shape != dense.InputShape || evaluation.ClassCount != dense.ClassCount)
        {
            throw new ArgumentException(
                $"The evaluation set has {evaluation.Shape} images of {evaluation.ClassCount} classes, but the {dense.Architecture} was built for {dense.InputShape} images of {dense.ClassCount} classes.",
                nameof(evaluation));
        }

        ratios ??= DefaultRatios;
        if (ratios.Count == 0)
        {
            throw new ArgumentException("At least one pruning ratio is required, e.g. 0, 0.1, ..., 0.9.", nameof(ratios));
        }

        planForRatio ??= ratio => PaperPlan(dense, ratio);
        var device = dense.parameters().First().device;
        var rows = new List<PruningSweepRow>();
        foreach (double ratio in ratios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = FilterPruner.Prune(dense, planForRatio(ratio));
            using var pruned = result.Network;
            double accuracy = NetworkTrainer.Evaluate(pruned, evaluation, batchSize, device);
            var row = new PruningSweepRow(ratio, result.Plan, result.Pruned, result.Speedup, accuracy);
            rows.Add(row);
            progress?.Report(row);
        }

        return rows;
    }
}
