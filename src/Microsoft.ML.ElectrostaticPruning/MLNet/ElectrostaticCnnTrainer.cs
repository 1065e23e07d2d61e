using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Trains a CNN image classifier with the electrostatic-force penalty on the convolutions a pruning plan prunes, prunes them
/// structurally (the filters with the smallest L1 norms are removed, not masked), optionally fine-tunes, and returns an
/// <see cref="ElectrostaticCnnTransformer"/>. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(...)</c>.
/// </summary>
/// <remarks>
/// Input: a key-typed label column and a known-size <c>Single</c> vector of C x H x W pixels in planar CHW order (the output
/// of <c>ExtractPixels</c>, or of the IDX / CIFAR readers). Output: <c>Score</c> and <c>PredictedLabel</c>, like ML.NET's
/// multiclass trainers. Training reads the whole data set into memory.
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

    /// <summary>Reads the data into memory, trains, prunes and optionally fine-tunes.</summary>
    /// <param name="input">Training data with the label and feature columns.</param>
    /// <returns>The pruned model (which also keeps the dense one).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or BatchSize exceeds the number of rows.</exception>
    /// <exception cref="ArgumentException">The data has no rows, the image shape cannot be determined, or the plan prunes no layer while a regularizer is set.</exception>
    /// <exception cref="InvalidOperationException">A feature is NaN or infinite, or a label is outside the key range; the message names the row.</exception>
    /// <exception cref="OperationCanceledException"><see cref="Options.CancellationToken"/> was cancelled.</exception>
    public ElectrostaticCnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var featureColumn = SchemaValidation.RequireFeatureColumn(input.Schema, o.FeatureColumnName);
        var labelColumn = SchemaValidation.RequireLabelColumn(input.Schema, o.LabelColumnName);
        var shape = ResolveShape(featureColumn, o.ImageShape);
        var labels = ClassLabels.FromLabelColumn(labelColumn);

        using var ch = _host.Start("Training");
        var train = ReadDataset(input, featureColumn, labelColumn, shape, labels.Count, "training data");
        if (o.BatchSize > train.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(Options.BatchSize), o.BatchSize, $"BatchSize ({o.BatchSize}) is larger than the training data ({train.Count} rows); use at most {train.Count}.");
        }

        var validation = o.ValidationSet is null ? null : ReadValidationSet(o.ValidationSet, shape, labels.Count);
        int seed = o.Seed ?? _host.Rand.Next();
        ch.Info($"ElectrostaticCnn: {o.Architecture} on {train.Count} images of {shape}, {labels.Count} classes, seed {seed}; {o.Describe()}");

        torch.manual_seed(seed);
        var dense = CnnZoo.Create(o.Architecture, shape, labels.Count);
        var regularized = o.Regularizer == RegularizerKind.None ? [] : o.PruningPlan.WeightsToRegularize(dense);
        if (o.Regularizer != RegularizerKind.None && regularized.Count == 0)
        {
            throw new ArgumentException(
                $"PruningPlan '{o.PruningPlan}' prunes no convolution of {o.Architecture}, so the {o.Regularizer} penalty has nothing to act on. Use a plan with a ratio above 0, or Regularizer = None to train without pruning.",
                nameof(Options.PruningPlan));
        }

        var trainer = new NetworkTrainer();
        var history = trainer.Train(dense, regularized, train, validation, TrainingOptionsFor(o, seed, fineTune: false), new EpochReporter(ch, "training", o.Epochs, o.ProgressCallback), o.CancellationToken);

        var pruning = FilterPruner.Prune(dense, o.PruningPlan);
        ch.Info(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pruned with plan {o.PruningPlan}: {pruning.Dense.Parameters:N0} -> {pruning.Pruned.Parameters:N0} parameters, speedup {pruning.Speedup:F2}x"));

        var fineTuning = new TrainingHistory();
        if (o.FineTuneEpochs > 0)
        {
            fineTuning = trainer.Train(pruning.Network, [], train, validation, TrainingOptionsFor(o, seed, fineTune: true), new EpochReporter(ch, "fine-tuning", o.FineTuneEpochs, o.ProgressCallback), o.CancellationToken);
        }

        var columns = new ScoringColumns(o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName);
        return new ElectrostaticCnnTransformer(_host, new SharedNetwork(dense), pruning.Network, o.PruningPlan, labels, columns, history, fineTuning, o.Describe(), o.InferenceBatchSize);
    }

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

    private ImageDataset ReadDataset(IDataView data, DataViewSchema.Column features, DataViewSchema.Column label, ImageShape shape, int classes, string role)
    {
        var (values, labels) = TrainingDataReader.Read(data, features, label, shape.Size, role, _options.CancellationToken);
        if (labels.Length == 0)
        {
            throw new ArgumentException($"The {role} has no rows; the trainer needs at least one image per SGD step.", nameof(data));
        }

        return new ImageDataset(values, labels, shape, classes);
    }

    private ImageDataset ReadValidationSet(IDataView data, ImageShape shape, int classes)
    {
        var features = SchemaValidation.RequireFeatureColumn(data.Schema, _options.FeatureColumnName, shape.Size);
        var label = SchemaValidation.RequireLabelColumn(data.Schema, _options.LabelColumnName);
        if (((KeyDataViewType)label.Type).Count != (ulong)classes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Options.ValidationSet), $"The validation set's label column '{label.Name}' has {((KeyDataViewType)label.Type).Count} classes, the training data {classes}: build both keys with the same MapValueToKey transformer.");
        }

        return ReadDataset(data, features, label, shape, classes, "validation data");
    }

    private static TrainingOptions TrainingOptionsFor(Options o, int seed, bool fineTune) => new()
    {
        Epochs = fineTune ? o.FineTuneEpochs : o.Epochs,
        BatchSize = o.BatchSize,
        Schedule = fineTune ? o.FineTuneSchedule : o.LearningRateSchedule,
        Momentum = o.Momentum,
        WeightDecay = fineTune ? o.FineTuneWeightDecay : o.WeightDecay,
        Augment = o.Augment,
        Regularizer = fineTune ? RegularizerKind.None : o.Regularizer,
        Alpha = o.ForceRate,
        CoulombConstant = o.CoulombConstant,
        GradientMode = o.GradientMode,
        L1Rate = o.L1Rate,
        Seed = fineTune ? unchecked(seed + 1) : seed,
        Device = o.Device,
    };
}
