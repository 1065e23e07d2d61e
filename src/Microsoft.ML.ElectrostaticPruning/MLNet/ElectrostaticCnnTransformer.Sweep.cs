namespace Microsoft.ML.ElectrostaticPruning;

public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>The paper's ratios: 0, 0.1, ..., 0.9.</summary>
    private static readonly double[] PaperRatios = [.. Enumerable.Range(0, 10).Select(i => i / 10.0)];

    /// <summary>
    /// The paper's Figure 2 for this model: prunes the dense trained network at each ratio (no retraining, no
    /// fine-tuning; optionally with BatchNorm recalibration) and measures the pruned network's cost and top-1 accuracy on <paramref name="testData"/>. Each
    /// accuracy is that of the transformer <see cref="Prune(PruningPlan)"/> returns for the row's plan, scored the way
    /// <see cref="Transform"/> scores (eval mode, BatchNorm folded). This transformer is unchanged.
    /// </summary>
    /// <param name="testData">Labelled test images: the feature column this model scores and a key label column.</param>
    /// <param name="ratios">Ratios in [0, 1); null for the paper's 0, 0.1, ..., 0.9.</param>
    /// <param name="planForRatio">
    /// Turns a ratio into a plan; null for <see cref="PruningPlan.PaperSweep(CnnArchitecture, double)"/> of this architecture with this transformer's
    /// ranking and compensation (the sweep prunes the way this model was pruned).
    /// </param>
    /// <param name="labelColumnName">The key label column of <paramref name="testData"/>, with as many classes as the model. Default <c>Label</c>.</param>
    /// <param name="progress">Receives each row as soon as it is measured.</param>
    /// <param name="cancellationToken">Checked before each ratio and while reading the data, like ML.NET's cancellation of the MLContext.</param>
    /// <param name="calibrationData">
    /// Images to re-estimate each pruned network's BatchNorm statistics on, as <see cref="Prune(PruningPlan, IDataView, int, int)"/>
    /// does with its defaults (2,000 images, seed 0); null (the default) for the data-free <see cref="Prune(PruningPlan)"/>.
    /// </param>
    /// <returns>One row per ratio, in the given order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or a ratio is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">No ratios, no rows, or a label with another number of classes than the model.</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    /// <example>
    /// A complete program, re-pruning a trained model and sweeping its ratios: <c>src/Samples/Examples/RePruningAndSweep.cs</c> in the repository, run by
    /// <c>dotnet run -c Release --project src/Samples -- example re-pruning</c>.
    /// </example>
    public IReadOnlyList<PruningSweepRow> Sweep(
        IDataView testData,
        IEnumerable<double>? ratios = null,
        Func<double, PruningPlan>? planForRatio = null,
        string labelColumnName = "Label",
        IProgress<PruningSweepRow>? progress = null,
        CancellationToken cancellationToken = default,
        IDataView? calibrationData = null)
    {
        ArgumentNullException.ThrowIfNull(testData);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ThrowIfDisposed();
        double[] list = [.. ratios ?? PaperRatios];
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one pruning ratio is required, e.g. 0, 0.1, ..., 0.9.", nameof(ratios));
        }

        foreach (double ratio in list)
        {
            if (!(ratio >= 0 && ratio < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ratios), ratio, "Pruning ratios must lie in [0, 1).");
            }
        }

        var stop = HostCancellation.Stop(_host, cancellationToken);
        var test = ReadLabeledData(testData, _columns.Features, labelColumnName, DataSetRole.SweepTest, stop);
        var calibration = calibrationData is null ? null : ReadCalibrationData(calibrationData, stop);
        planForRatio ??= ratio => _plan.SweepAt(_pruned.Architecture, ratio);
        var rows = new List<PruningSweepRow>(list.Length);
        foreach (double ratio in list)
        {
            stop.ThrowIfStopped();
            using var pruned = calibration is null ? Prune(planForRatio(ratio)) : PruneCalibrated(planForRatio(ratio), calibration, BatchNormCalibration.DefaultImages, seed: 0);
            var summary = pruned.Summary;
            double accuracy = NetworkTrainer.Evaluate(pruned._scorer.Network, test, _inferenceBatchSize, DeviceOf(pruned._pruned));
            var row = new PruningSweepRow(ratio, pruned.PruningPlan, summary.Pruned, summary.Speedup, accuracy);
            rows.Add(row);
            progress?.Report(row);
        }

        return rows;
    }
}
