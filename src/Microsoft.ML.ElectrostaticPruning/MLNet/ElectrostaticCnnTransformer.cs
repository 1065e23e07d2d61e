using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// A trained and pruned CNN image classifier as an ML.NET transformer. It appends <c>Score</c> (K class probabilities, with
/// the class names as <c>SlotNames</c>) and <c>PredictedLabel</c> (a key of the training label's key type, with its
/// <c>KeyValues</c>), so <c>MulticlassClassification.Evaluate</c>, its confusion matrix and <c>MapKeyToValue</c> work directly.
/// It scores with the pruned network, in batches, lazily; it also keeps the dense trained network, so
/// <see cref="Prune(PruningPlan)"/> derives other pruned models from the same training run without retraining.
/// <c>mlContext.Model.Save</c> / <c>Load</c> persist both networks, the classes and the history.
/// A transformer never changes after construction: <see cref="Prune(PruningPlan)"/> and
/// <see cref="FineTune(IDataView, FineTuneOptions?)"/> return new transformers. It holds native (libtorch) memory:
/// dispose it when done; derived transformers share the dense network, which is freed with the last of them.
/// </summary>
public sealed partial class ElectrostaticCnnTransformer : ITransformer, IDisposable
{
    private readonly IHost _host;
    private readonly SharedNetwork _dense;
    private readonly CnnNetwork _pruned;
    private readonly PruningPlan _plan;
    private readonly ClassLabels _labels;
    private readonly ScoringColumns _columns;
    private readonly TrainingHistory _training;
    private readonly TrainingHistory _fineTuning;
    private readonly string _trainingOptions;
    private readonly int _inferenceBatchSize;
    private readonly NetworkScorer _scorer;
    private readonly Lazy<ElectrostaticCnnModelSummary> _summary;
    private int _disposed;

    /// <summary>Creates the transformer; it takes ownership of <paramref name="pruned"/> and of one reference to <paramref name="dense"/>, also when it throws.</summary>
    internal ElectrostaticCnnTransformer(
        IHostEnvironment env,
        SharedNetwork dense,
        CnnNetwork pruned,
        PruningPlan plan,
        ClassLabels labels,
        ScoringColumns columns,
        TrainingHistory training,
        TrainingHistory fineTuning,
        string trainingOptions,
        int inferenceBatchSize)
    {
        _dense = dense;
        _pruned = pruned;
        try
        {
            ArgumentNullException.ThrowIfNull(env);
            if (pruned.ClassCount != labels.Count)
            {
                throw new InvalidDataException($"The network has {pruned.ClassCount} outputs but the label has {labels.Count} classes.");
            }

            _host = env.Register(nameof(ElectrostaticCnnTransformer));
            var shape = pruned.InputShape;

            // Scoring runs on an eval-only copy with BatchNorm folded into the convolutions: same outputs, fewer ops per image.
            _scorer = new NetworkScorer(pruned.ForInference(), shape.Channels, shape.Height, shape.Width, labels.Count, DeviceOf(pruned));
        }
        catch
        {
            pruned.Dispose();
            dense.Release();
            throw;
        }

        _plan = plan;
        _labels = labels;
        _columns = columns;
        _training = training;
        _fineTuning = fineTuning;
        _trainingOptions = trainingOptions;
        _inferenceBatchSize = inferenceBatchSize;
        _summary = new(BuildSummary);
    }

    /// <summary>Always true: the transformer maps rows one by one too (PredictionEngine).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Network, classes, per-layer filter counts, parameters, FLOPs, speedup and training history.</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed before its summary was first read.</exception>
    public ElectrostaticCnnModelSummary Summary
    {
        get
        {
            if (!_summary.IsValueCreated)
            {
                ThrowIfDisposed();
            }

            return _summary.Value;
        }
    }

    /// <summary>The pruning plan of the network this transformer scores with.</summary>
    public PruningPlan PruningPlan => _plan;

    /// <summary>The input column of images (C x H x W Singles), <c>Features</c> unless the options named another.</summary>
    public string FeatureColumnName => _columns.Features;

    /// <summary>The output column of class probabilities, <c>Score</c> unless the options named another.</summary>
    public string ScoreColumnName => _columns.Score;

    /// <summary>The output column of the predicted class key, <c>PredictedLabel</c> unless the options named another.</summary>
    public string PredictedLabelColumnName => _columns.PredictedLabel;

    /// <summary>Images per forward pass in <see cref="Transform"/>.</summary>
    public int InferenceBatchSize => _inferenceBatchSize;

    /// <summary>The pruned network that scores (tests and benchmarks call it directly).</summary>
    internal CnnNetwork Network => _pruned;

    /// <summary>The dense trained network that <see cref="Prune(PruningPlan)"/> starts from.</summary>
    internal CnnNetwork DenseNetwork => _dense.Network;

    /// <summary>The filter order any-ratio training trained over, which plans with its ranking prune by; null for none.</summary>
    internal FilterOrder? FilterOrder => _dense.FilterOrder;

    /// <summary>The BatchNorm statistics of the stored widths that data-free pruning applies; null for none.</summary>
    internal WidthStatistics? WidthStatistics => _dense.WidthStatistics;

    /// <summary>The input schema plus Score and PredictedLabel.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or is not a vector of C x H x W Singles.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>Scores <paramref name="input"/> lazily: nothing runs until a cursor asks for Score or PredictedLabel.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or is not a vector of C x H x W Singles.</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        return new ScoringDataView(input, Bind(input.Schema), _scorer, _inferenceBatchSize);
    }

    /// <summary>A row-to-row mapper over <paramref name="inputSchema"/> (used by PredictionEngine).</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return new ScoringRowMapper(Bind(inputSchema), _scorer);
    }

    /// <summary>
    /// Prunes the dense trained network with another plan and returns a transformer that scores with the result; no
    /// retraining and no fine-tuning (this transformer is unchanged).
    /// </summary>
    /// <remarks>
    /// A model trained with <c>AnyRatio</c> keeps, for a plan with its training plan's ranking, the first filters of the
    /// order its last epoch trained over (stored with the model), and gives each BatchNorm the statistics of the narrowest
    /// width stored for its range that contains the pruned network (measured after training when
    /// <c>CalibrationImages</c> &gt; 0); otherwise the filters its weights rank first, with the dense network's statistics.
    /// </remarks>
    /// <param name="plan">The plan, e.g. <c>PruningPlan.Uniform(0.7)</c>.</param>
    /// <exception cref="ArgumentException">The plan does not fit the architecture (e.g. a stage list of the wrong length).</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    /// <example>
    /// A complete program, re-pruning a trained model and sweeping its ratios: <c>src/Samples/Examples/RePruningAndSweep.cs</c> in the repository, run by
    /// <c>dotnet run -c Release --project src/Samples -- example re-pruning</c>.
    /// </example>
    public ElectrostaticCnnTransformer Prune(PruningPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ThrowIfDisposed();
        var result = FilterPruner.Prune(_dense.Network, plan, order: _dense.FilterOrder);
        try
        {
            _dense.WidthStatistics?.Apply(result);
        }
        catch
        {
            result.Network.Dispose();
            throw;
        }

        return new ElectrostaticCnnTransformer(_host, _dense.Acquire(), result.Network, plan, _labels, _columns, _training, new TrainingHistory(), _trainingOptions, _inferenceBatchSize);
    }

    /// <summary>
    /// Prunes the dense trained network with another plan, then re-estimates the pruned network's BatchNorm running
    /// statistics on <paramref name="calibrationData"/> (forward passes only: statistics reset, cumulative average over
    /// the batches, no gradients, no labels), and returns a transformer that scores with the result; this transformer is
    /// unchanged. Pruning changes the activations every later BatchNorm sees, so the statistics measured on the dense
    /// network no longer fit; recalibrated ones recover much of the accuracy a large ratio loses (Universally Slimmable
    /// Networks and Once-for-All recalibrate every width they deploy). <see cref="Prune(PruningPlan)"/> stays data-free.
    /// </summary>
    /// <param name="plan">The plan, e.g. <c>PruningPlan.Uniform(0.7)</c>.</param>
    /// <param name="calibrationData">Images with the feature column this model scores (training images are right; labels are not read).</param>
    /// <param name="calibrationImages">How many images to use, at least 1; a seeded sample when the data has more, all of them when it has fewer. Default 2,000.</param>
    /// <param name="seed">Seed of that sample: the same seed and data give the same statistics. Default 0.</param>
    /// <exception cref="ArgumentException">The plan does not fit the architecture, or the data has no rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or of the wrong size, or <paramref name="calibrationImages"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public ElectrostaticCnnTransformer Prune(PruningPlan plan, IDataView calibrationData, int calibrationImages = BatchNormCalibration.DefaultImages, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(calibrationData);
        ArgumentOutOfRangeException.ThrowIfLessThan(calibrationImages, 1);
        ThrowIfDisposed();
        var images = ReadCalibrationData(calibrationData, HostCancellation.Stop(_host, default));
        return PruneCalibrated(plan, images, calibrationImages, seed);
    }

    /// <summary>Prunes by <paramref name="plan"/> and recalibrates on <paramref name="images"/> (already read).</summary>
    private ElectrostaticCnnTransformer PruneCalibrated(PruningPlan plan, ImageDataset images, int calibrationImages, int seed)
    {
        var network = FilterPruner.Prune(_dense.Network, plan, order: _dense.FilterOrder).Network;
        try
        {
            BatchNormCalibration.Recalibrate(network, images, calibrationImages, seed);
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return new ElectrostaticCnnTransformer(_host, _dense.Acquire(), network, plan, _labels, _columns, _training, new TrainingHistory(), _trainingOptions, _inferenceBatchSize);
    }

    /// <summary>The calibration images: the feature column only, every value checked.</summary>
    private ImageDataset ReadCalibrationData(IDataView data, TrainingStop stop)
    {
        var shape = _pruned.InputShape;
        var role = DataSetRole.Calibration;
        var features = SchemaValidation.RequireFeatureColumn(data.Schema, _columns.Features, role, shape.Size);
        var (values, labels) = TrainingDataReader.Read(data, features, null, shape.Size, role.Name, stop);
        return labels.Length == 0
            ? throw new ArgumentException("The BatchNorm calibration data has no rows; give it training images (about 2,000 are enough).", "calibrationData")
            : new ImageDataset(values, labels, shape, _labels.Count);
    }

    /// <summary>Frees the native memory of the pruned and folded networks, and of the dense one if no derived transformer still holds it. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _scorer.Dispose();
        _pruned.Dispose();
        _dense.Release();
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once <see cref="Dispose"/> has run.</summary>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private ScoringBinding Bind(DataViewSchema inputSchema) =>
        ScoringBinding.Create(inputSchema, _columns, _labels, _pruned.InputShape.Size);

    private static torch.Device DeviceOf(CnnNetwork network) =>
        network.parameters().FirstOrDefault()?.device ?? torch.CPU;

    // Filter counts and what happened to the charges of one prunable conv of the dense network.
    private PrunedLayerSummary LayerSummary(CnnNetwork dense, ConvLayerInfo layer, int kept)
    {
        var weight = dense.GetConv(layer).weight!;
        var charges = ElectrostaticForce.Statistics(weight, layer.Name);
        var norms = charges.L1Norms;
        double[] folded = FilterPruner.FoldedFilterNorms(weight, dense.GetBatchNorm(layer));
        double maxFolded = folded.Max();
        int dead = folded.Count(f => f <= 1e-3 * maxFolded);
        int[] keptIndices = FilterPruner.KeptFilterIndices(_plan.Ranking == FilterRanking.FoldedL1Norm ? folded : [.. norms], kept);
        double sourceSign = Math.Sign(charges.Charges[charges.SourceIndex]);
        int removedWithSourceSign = Enumerable.Range(0, norms.Count)
            .Except(keptIndices)
            .Count(n => sourceSign != 0 && Math.Sign(charges.Charges[n]) == sourceSign);
        double total = norms.Sum();
        double share = total > 0 ? norms[charges.SourceIndex] / total : 0;
        return new PrunedLayerSummary(layer.LayerIndex, layer.Name, _plan.RatioFor(dense, layer), layer.OutChannels, kept, dead, share, removedWithSourceSign);
    }

    private ElectrostaticCnnModelSummary BuildSummary()
    {
        var dense = _dense.Network;
        var prunedByName = _pruned.ConvLayers.ToDictionary(l => l.Name);
        var layers = dense.ConvLayers
            .Where(l => l.IsPrunable)
            .Select(l => LayerSummary(dense, l, prunedByName[l.Name].OutChannels))
            .ToArray();
        return new ElectrostaticCnnModelSummary(
            dense.Architecture,
            dense.InputShape,
            _labels.Names,
            _plan,
            layers,
            ComplexityCounter.Measure(dense),
            ComplexityCounter.Measure(_pruned),
            _training,
            _fineTuning,
            _trainingOptions);
    }
}
