using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Trains a CNN image classifier with the electrostatic-force penalty on the convolutions a pruning plan prunes, prunes them
/// structurally (the filters with the smallest L1 norms are removed, not masked), optionally fine-tunes, and returns an
/// <see cref="ElectrostaticCnnTransformer"/>. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(...)</c>.
/// </summary>
/// <remarks>
/// Input: a key-typed label column and a known-size <c>Single</c> vector of C x H x W pixels in planar CHW order (the output
/// of <c>ExtractPixels</c>, or of the IDX / CIFAR readers). Output: <c>Score</c> and <c>PredictedLabel</c>, like ML.NET's
/// multiclass trainers. Training reads the whole data set into memory. Training starts from random weights, or, for a
/// warm start, from a trained model's dense network: <see cref="Fit(IDataView, ElectrostaticCnnTransformer)"/>.
/// </remarks>
public sealed partial class ElectrostaticCnnTrainer : IEstimator<ElectrostaticCnnTransformer>
{
    private readonly IHost _host;
    private readonly Options _options;

    /// <summary>Creates the trainer; the options are copied and checked now.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it.</exception>
    internal ElectrostaticCnnTrainer(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(ElectrostaticCnnTrainer));
        _options = options.Clone();
        _options.Validate();
    }

    /// <summary>Validation points lost by pruning without fine-tuning above which Fit warns (MLContext.Log and the summary's options line).</summary>
    internal const double PruningLossWarningPoints = 3;

    /// <summary>What stops Fit: the options' token and ML.NET's cancellation of the MLContext.</summary>
    private TrainingStop Stop => HostCancellation.Stop(_host, _options.CancellationToken);

    /// <summary>The trainer's own (checked) copy of its options.</summary>
    internal Options TrainerOptions => _options;

    /// <summary>
    /// The schema after the transformer: the input columns plus <c>Score</c> (vector of Single with SlotNames) and
    /// <c>PredictedLabel</c> (the label's key type with its KeyValues).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature or label column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var label = ShapeValidation.RequireLabel(inputSchema, _options.LabelColumnName);
        ShapeValidation.RequireFeatures(inputSchema, _options.FeatureColumnName);

        var outputAnnotations = AnnotationUtils.GetTrainerOutputAnnotation().ToArray();
        var slotNames = new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);
        var keyValues = label.Annotations.Where(a => a.Name == AnnotationUtils.Kinds.KeyValues);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.ScoreColumnName] = new SchemaShape.Column(
            _options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape([slotNames, .. outputAnnotations]));
        columns[_options.PredictedLabelColumnName] = new SchemaShape.Column(
            _options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, label.ItemType, true, new SchemaShape([.. keyValues, .. outputAnnotations]));
        return new SchemaShape(columns.Values);
    }

    /// <summary>
    /// Reads the data into memory, trains, prunes and optionally fine-tunes. With <see cref="Options.CheckpointPath"/> it
    /// writes a checkpoint after every epoch and continues from an existing one.
    /// </summary>
    /// <param name="input">Training data with the label and feature columns.</param>
    /// <returns>The pruned model (which also keeps the dense one).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException">
    /// The data has no rows, the image shape cannot be determined, the plan prunes no layer while a regularizer is set, or
    /// the checkpoint was written by another run (the message says what differs).
    /// </exception>
    /// <exception cref="InvalidDataException">The checkpoint file is not one, or is truncated.</exception>
    /// <exception cref="InvalidOperationException">A feature is NaN or infinite, or a label is outside the key range; the message names the row.</exception>
    /// <exception cref="OperationCanceledException"><see cref="Options.CancellationToken"/> was cancelled, or the MLContext's execution was.</exception>
    public ElectrostaticCnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return FitCore(input, null);
    }

    /// <summary>
    /// Warm start, like <c>LbfgsMaximumEntropyMulticlassTrainer.Fit(data, modelParameters)</c>: trains a copy of
    /// <paramref name="initialModel"/>'s dense (trained, unpruned) network instead of a randomly initialised one, with the
    /// same training loop, penalty, pruning and fine-tuning as <see cref="Fit(IDataView)"/>. <paramref name="initialModel"/>
    /// is not modified (and stays usable); its pruned or fine-tuned network is not used.
    /// </summary>
    /// <remarks>
    /// The learning-rate schedule, <see cref="Options.Epochs"/> and the returned model's <c>Summary.Training</c> count the
    /// new epochs only, from 0; <c>Summary.TrainingOptions</c> ends with "warm start from a model trained N epochs", N
    /// counting the training epochs of <paramref name="initialModel"/> and of the models it was warm-started from.
    /// When <see cref="Options.ImageShape"/> is null and the feature column has no C x H x W dimensions, the model's input
    /// shape is used if its size matches.
    /// </remarks>
    /// <param name="trainData">Training data with the label and feature columns.</param>
    /// <param name="initialModel">A model returned by this trainer (or loaded from one saved with <c>mlContext.Model.Save</c>):
    /// the same <see cref="Options.Architecture"/>, the data's image shape, and the label's classes with the same names in the
    /// same key order. Or PyTorch weights loaded by <c>mlContext.Model.LoadPyTorchWeights</c> (the paper's pretrained start):
    /// their class names are not checked, and with another class count than the label's the classifier is replaced by a
    /// freshly initialised one (transfer learning; the summary's options line says so).</param>
    /// <returns>A new model; dispose it when done. <paramref name="initialModel"/> is still owned by the caller.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="initialModel"/> has another architecture, image shape, class count or class names than the options and
    /// the data (the message names the option or column and both values).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="initialModel"/> was disposed.</exception>
    /// <exception cref="InvalidOperationException">A feature is NaN or infinite, or a label is outside the key range; the message names the row.</exception>
    /// <exception cref="OperationCanceledException"><see cref="Options.CancellationToken"/> was cancelled.</exception>
    /// <example>
    /// A complete program, warm start from a saved model: <c>src/Samples/Examples/WarmStart.cs</c> in the repository, run by
    /// <c>dotnet run -c Release --project src/Samples -- example warm-start</c>.
    /// </example>
    public ElectrostaticCnnTransformer Fit(IDataView trainData, ElectrostaticCnnTransformer initialModel)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(initialModel);
        initialModel.ThrowIfDisposed();
        return FitCore(trainData, new WarmStart(initialModel, nameof(initialModel), nameof(initialModel)));
    }

    private ElectrostaticCnnTransformer FitCore(IDataView input, WarmStart? start)
    {
        var o = _options;
        var role = start is null ? DataSetRole.Training : DataSetRole.WarmStartTraining;
        var featureColumn = SchemaValidation.RequireFeatureColumn(input.Schema, o.FeatureColumnName, role);
        var labelColumn = SchemaValidation.RequireLabelColumn(input.Schema, o.LabelColumnName, role);
        var shape = ResolveShape(featureColumn, o.ImageShape ?? start?.ShapeHint(featureColumn));
        var labels = ClassLabels.FromLabelColumn(labelColumn);
        start?.Check(o, featureColumn, shape, labelColumn, labels);

        using var ch = _host.Start("Training");
        var train = ReadDataset(input, featureColumn, labelColumn, shape, labels.Count, role);
        // A training set smaller than the batch trains with one batch of all rows (the options line says so) rather than
        // failing: the simple catalog overload has no batch size to lower.
        int batchSize = Math.Min(o.BatchSize, train.Count);
        if (batchSize < o.BatchSize)
        {
            ch.Info($"BatchSize {o.BatchSize} is larger than the training data ({train.Count} rows); training with batches of {batchSize}.");
        }

        var validation = o.ValidationSet is null ? null : ReadValidationSet(o.ValidationSet, shape, labels.Count);
        int seed = o.Seed ?? _host.Rand.Next();
        var trainingOptions = o.ToTrainingOptions(seed, fineTune: false, warmStart: start is not null);
        var fineTuneOptions = o.ToTrainingOptions(seed, fineTune: true);
        trainingOptions.BatchSize = fineTuneOptions.BatchSize = batchSize;
        // The options line of the summary: the settings, what pruning cost on the validation set (added below), and last the
        // warm start it continued from.
        string description = o.Describe(batchSize, warmStart: start is not null);
        string warmStart = start is null ? string.Empty : $"; {start.Describe()}";
        ch.Info($"ElectrostaticCnn: {o.Architecture} on {train.Count} images of {shape}, {labels.Count} classes, seed {seed}; {description}{warmStart}");

        CheckNormalization(o.InputNormalization, shape);
        CnnNetwork dense;
        torch.manual_seed(seed);
        if (start is null)
        {
            dense = CnnZoo.Create(o.Architecture, shape, labels.Count);
            dense.InputNormalization = o.InputNormalization;
        }
        else
        {
            // A copy of the model's network (a fresh classifier, drawn from the seeded RNG, for PyTorch weights with
            // another class count); every epoch re-seeds the RNG from (seed, epoch) anyway.
            dense = start.CopyDenseNetwork();
        }

        CnnNetwork? pruned = null;
        bool handedOver = false;
        try
        {
            var regularized = o.Regularizer is null ? [] : o.PruningPlan.WeightsToRegularize(dense);
            if (o.Regularizer is not null && regularized.Count == 0)
            {
                throw new ArgumentException(
                    $"PruningPlan '{o.PruningPlan}' prunes no convolution of {o.Architecture}, so the {o.Regularizer.Name} has nothing to act on. Use a plan with a ratio above 0, or Regularizer = null to train without pruning.",
                    nameof(Options.PruningPlan));
            }

            WarnOnLayersNoSubNetworkPrunes(ch, o, dense);
            var checkpoint = o.CheckpointPath is null ? null : OpenCheckpoint(o.CheckpointPath, description + warmStart, seed, shape, labels, train, validation, start is null ? null : dense);
            var trainer = new NetworkTrainer();
            var history = trainer.Train(dense, regularized, train, validation, trainingOptions, new EpochReporter(ch, "training", o.Epochs, o.ProgressCallback), Stop, checkpoint?.Training);

            // Any-ratio training's sub-networks are prefixes of the order its last epoch ranked; pruning keeps that order's
            // filters, so the returned network and every re-prune are networks the last epoch trained.
            var order = trainer.TrainedOrder;
            var pruning = FilterPruner.Prune(dense, o.PruningPlan, order: order);
            pruned = pruning.Network;
            ch.Info(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pruned with plan {o.PruningPlan}: {pruning.Dense.Parameters:N0} -> {pruning.Pruned.Parameters:N0} parameters, speedup {pruning.Speedup:F2}x"));
            if (o.CalibrationImages > 0)
            {
                // The statistics of the pruned width, not the dense network's (which sub-network passes never updated): what
                // Prune(plan, calibrationData) does, on a seeded sample of the training images.
                int used = BatchNormCalibration.Recalibrate(pruned, train, o.CalibrationImages, seed);
                ch.Info($"BatchNorm statistics of the pruned network re-estimated on {used} training images");
            }

            if (validation is not null)
            {
                // What pruning without fine-tuning cost, measured as the returned model scores (eval mode, folded BatchNorm).
                var device = dense.parameters().First().device;
                using var foldedDense = dense.ForInference();
                using var foldedPruned = pruned.ForInference();
                double denseAccuracy = NetworkTrainer.Evaluate(foldedDense, validation, o.InferenceBatchSize, device);
                double prunedAccuracy = NetworkTrainer.Evaluate(foldedPruned, validation, o.InferenceBatchSize, device);
                double lost = (denseAccuracy - prunedAccuracy) * 100;
                string line = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"validation top-1 dense {denseAccuracy:P2}, pruned without fine-tuning {prunedAccuracy:P2} ({lost:F2} points lost)");
                description += "; " + line;
                if (lost > PruningLossWarningPoints)
                {
                    ch.Warning(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Pruning by {o.PruningPlan} without fine-tuning lost {lost:F2} points of validation accuracy (more than {PruningLossWarningPoints}): use a smaller ratio, FineTuneEpochs > 0, the folded ranking ('rank folded') or another regularizer."));
                }
                else
                {
                    ch.Info(line);
                }
            }

            // A model trained for a range stores the BatchNorm statistics of widths across it, so that a data-free
            // Prune(plan) there normalizes with its own width's statistics (sub-network passes never update the running ones).
            WidthStatistics? widthStatistics = null;
            if (o.AnyRatio is { } range && o.CalibrationImages > 0)
            {
                long measuring = System.Diagnostics.Stopwatch.GetTimestamp();
                var ratios = WidthStatistics.RangeRatios(range.MinRatio, range.MaxRatio);
                widthStatistics = WidthStatistics.Measure(dense, o.PruningPlan, ratios, train, o.CalibrationImages, seed, Stop, order);
                ch.Info(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"BatchNorm statistics of {ratios.Count} widths ({range.MinRatio:G3}-{range.MaxRatio:G3}) stored for data-free pruning, in {System.Diagnostics.Stopwatch.GetElapsedTime(measuring).TotalSeconds:F1} s"));
            }

            var fineTuning = new TrainingHistory();
            if (o.FineTuneEpochs > 0)
            {
                fineTuning = trainer.Train(pruned, [], train, validation, fineTuneOptions, new EpochReporter(ch, "fine-tuning", o.FineTuneEpochs, o.ProgressCallback), Stop, checkpoint?.FineTuning);
            }

            var columns = new ScoringColumns(o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName);

            // The transformer owns both networks from here on, also when its constructor throws.
            handedOver = true;
            return new ElectrostaticCnnTransformer(_host, new SharedNetwork(dense, widthStatistics, order), pruned, o.PruningPlan, labels, columns, history, fineTuning, description + warmStart, o.InferenceBatchSize);
        }
        catch when (!handedOver)
        {
            pruned?.Dispose();
            dense.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Warns when any-ratio training is on and the plan prunes a conv that the sub-networks (the paper's sweep of the
    /// architecture) keep whole, e.g. <c>Uniform(0.5)</c> on VGG, whose first conv no sub-network prunes: the network
    /// <c>Fit</c> returns is then not one that training trained (VGG-11: 86.60% against 88.50% with <c>sweep 0.5</c>).
    /// </summary>
    private static void WarnOnLayersNoSubNetworkPrunes(IChannel ch, Options o, CnnNetwork dense)
    {
        var untrained = LayersNoSubNetworkPrunes(o.PruningPlan, o.AnyRatio, dense);
        if (untrained.Count > 0)
        {
            ch.Warning($"PruningPlan '{o.PruningPlan}' prunes {string.Join(", ", untrained)}, which no sub-network of AnyRatio training prunes (they follow the paper's sweep of {o.Architecture}), so the pruned network was never trained as such: use 'sweep <ratio>' (PruningPlan.PaperSweep(ratio)) or 'speedup <x>' to prune the layers training prepared.");
        }
    }

    /// <summary>The convs <paramref name="plan"/> prunes that no sub-network of <paramref name="range"/>'s training prunes; empty without any-ratio training.</summary>
    internal static IReadOnlyList<string> LayersNoSubNetworkPrunes(PruningPlan plan, AnyRatioTrainingOptions? range, CnnNetwork network)
    {
        if (range is null)
        {
            return [];
        }

        var trained = plan.SweepAt(network.Architecture, range.MaxRatio).LayersToPrune(network).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        return [.. plan.LayersToPrune(network).Where(l => !trained.Contains(l.Name)).Select(l => l.Name)];
    }

    /// <summary>
    /// The checkpoint of this Fit: its fingerprint is everything the weights depend on (the options line, the seed, the
    /// image shape and classes, the training and validation data, a warm start's initial weights).
    /// </summary>
    private static FitCheckpoint OpenCheckpoint(
        string path, string description, int seed, ImageShape shape, ClassLabels labels, ImageDataset train, ImageDataset? validation, CnnNetwork? warmStart) =>
        FitCheckpoint.Open(path,
        [
            $"options '{description}'",
            $"seed {seed}",
            $"input {shape}, classes [{string.Join(", ", labels.Names)}]",
            $"training data SHA-256 {FitCheckpoint.DataFingerprint(train)}",
            validation is null ? "no validation set" : $"validation data SHA-256 {FitCheckpoint.DataFingerprint(validation)}",
            warmStart is null ? "random initialisation" : $"warm start from weights SHA-256 {FitCheckpoint.NetworkFingerprint(warmStart)}",
        ]);

    /// <summary>The image shape: the option (checked against the vector size), the column's C x H x W dimensions, or inferred from a square size.</summary>
    internal static ImageShape ResolveShape(DataViewSchema.Column features, ImageShape? configured)
    {
        var vector = (VectorDataViewType)features.Type;
        if (configured is { } shape)
        {
            return shape.Size == vector.Size
                ? shape
                : throw new ArgumentOutOfRangeException(
                    nameof(Options.ImageShape), shape, $"ImageShape {shape} has {shape.Size} values, but feature column '{features.Name}' holds {vector.Size} per row ({vector}).");
        }

        var inferred = SchemaValidation.ShapeFromDimensions(vector) ?? SchemaValidation.ShapeFromSize(vector.Size)
            ?? throw new ArgumentException(
                $"Cannot infer the image shape from feature column '{features.Name}' ({vector}): {vector.Size} is neither s*s (grayscale) nor 3*s*s (colour). Set Options.ImageShape to the C x H x W of the images.",
                nameof(Options.ImageShape));
        return new ImageShape(inferred.Channels, inferred.Height, inferred.Width);
    }

    private ImageDataset ReadDataset(IDataView data, DataViewSchema.Column features, DataViewSchema.Column label, ImageShape shape, int classes, DataSetRole role)
    {
        var (values, labels) = TrainingDataReader.Read(data, features, label, shape.Size, role.Name, Stop);
        if (labels.Length == 0)
        {
            throw new ArgumentException(
                role == DataSetRole.Validation
                    ? $"{Capitalized(role.Name)} has no rows; give it at least one image, or set Options.ValidationSet to null."
                    : $"{Capitalized(role.Name)} has no rows; the trainer needs at least one image per SGD step.",
                role == DataSetRole.Validation ? nameof(Options.ValidationSet) : nameof(data));
        }

        return new ImageDataset(values, labels, shape, classes);
    }

    private ImageDataset ReadValidationSet(IDataView data, ImageShape shape, int classes)
    {
        var features = SchemaValidation.RequireFeatureColumn(data.Schema, _options.FeatureColumnName, DataSetRole.Validation, shape.Size);
        var label = SchemaValidation.RequireLabelColumn(data.Schema, _options.LabelColumnName, DataSetRole.Validation);
        if (((KeyDataViewType)label.Type).Count != (ulong)classes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Options.ValidationSet), $"The validation set's label column '{label.Name}' has {((KeyDataViewType)label.Type).Count} classes, the training data {classes}: build both keys with the same MapValueToKey transformer.");
        }

        return ReadDataset(data, features, label, shape, classes, DataSetRole.Validation);
    }

    private static void CheckNormalization(InputNormalization? normalization, ImageShape shape)
    {
        if (normalization is not null && normalization.Channels != shape.Channels)
        {
            throw new ArgumentException(
                $"Options.InputNormalization has {normalization.Channels} channels ({normalization}) but the images have {shape.Channels} ({shape}); give one mean and std per channel.",
                nameof(Options.InputNormalization));
        }
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
