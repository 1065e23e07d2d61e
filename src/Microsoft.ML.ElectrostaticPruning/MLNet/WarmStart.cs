using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// The trained model a warm-started <see cref="ElectrostaticCnnTrainer"/> run continues from: checks that it fits the
/// options and the data, and copies its dense network for training.
/// </summary>
/// <param name="model">The model; the caller keeps ownership.</param>
/// <param name="subject">How messages name the model, e.g. "initialModel".</param>
/// <param name="parameter">The parameter or option the exceptions name.</param>
internal sealed partial class WarmStart(ElectrostaticCnnTransformer model, string subject, string parameter)
{
    private const string Marker = "warm start from a model trained ";

    private bool _replaceClassifier;
    private int _dataClasses;

    private ImageShape ModelShape => model.DenseNetwork.InputShape;

    /// <summary>
    /// The model's input shape when it is the only shape information: the feature column has no C x H x W dimensions
    /// and holds as many values as the model's images; null otherwise (the usual resolution applies).
    /// </summary>
    public ImageShape? ShapeHint(DataViewSchema.Column features)
    {
        var vector = (VectorDataViewType)features.Type;
        return SchemaValidation.ShapeFromDimensions(vector) is null && vector.Size == ModelShape.Size ? ModelShape : null;
    }

    /// <summary>Checks architecture, widths, image shape, class count and class names.</summary>
    /// <exception cref="ArgumentException">Something differs; the message names the option or column and both values.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void Check(ElectrostaticCnnTrainer.Options options, DataViewSchema.Column features, ImageShape shape, DataViewSchema.Column label, ClassLabels labels)
    {
        model.ThrowIfDisposed();
        var dense = model.DenseNetwork;
        if (dense.Architecture != options.Architecture)
        {
            throw new ArgumentException(
                $"{subject} is a {dense.Architecture} but Options.Architecture is {options.Architecture}; set Options.Architecture = {dense.Architecture} or pass a {options.Architecture} model.",
                parameter);
        }

        var widths = CnnZoo.DefaultWidths(dense.Architecture);
        if (!dense.Widths.SequenceEqual(widths))
        {
            throw new ArgumentException(
                $"{subject}'s dense network has the conv widths [{string.Join(", ", dense.Widths)}], not those of an unpruned {dense.Architecture} [{string.Join(", ", widths)}]; warm start needs the dense network the trainer returned.",
                parameter);
        }

        if (dense.InputShape != shape)
        {
            string source = options.ImageShape is null ? string.Empty : " (Options.ImageShape)";
            throw new ArgumentException(
                $"{subject} was trained on {dense.InputShape} images (C x H x W, {dense.InputShape.Size} values) but feature column '{features.Name}' holds {shape} images{source} ({shape.Size} values); warm start needs images of the shape the model was trained on.",
                parameter);
        }

        var modelLabels = model.Labels;
        if (model.PretrainedDescription is not null)
        {
            // PyTorch weights carry no class names: another class count means transfer learning (a fresh classifier),
            // the same count means the file's classifier continues.
            _replaceClassifier = modelLabels.Count != labels.Count;
            _dataClasses = labels.Count;
            CheckNormalization(options);
            return;
        }

        if (modelLabels.Count != labels.Count)
        {
            throw new ArgumentException(
                $"{subject} has {modelLabels.Count} classes but label column '{label.Name}' has {labels.Count}; warm start needs the same classes: build the key with the MapValueToKey transformer the model was trained with.",
                parameter);
        }

        for (int i = 0; i < labels.Count; i++)
        {
            if (!string.Equals(modelLabels.Names[i], labels.Names[i], StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"{subject}'s classes differ from label column '{label.Name}': key {i + 1} is '{modelLabels.Names[i]}' in the model but '{labels.Names[i]}' in the data; warm start needs the same class names in the same key order: build the key with the MapValueToKey transformer the model was trained with.",
                    parameter);
            }
        }

        CheckNormalization(options);
    }

    /// <summary><see cref="ElectrostaticCnnTrainer.Options.InputNormalization"/> may be left null (the model's is kept) or repeat the model's.</summary>
    private void CheckNormalization(ElectrostaticCnnTrainer.Options options)
    {
        var own = model.DenseNetwork.InputNormalization;
        if (options.InputNormalization is { } wanted && !wanted.Equals(own))
        {
            throw new ArgumentException(
                $"Options.InputNormalization is {wanted} but {subject} normalizes its input with {(own is null ? "nothing" : own.ToString())}; a warm start keeps the model's normalization: set Options.InputNormalization to null.",
                nameof(ElectrostaticCnnTrainer.Options.InputNormalization));
        }
    }

    /// <summary>An independent trainable copy of the model's dense network; the global torch RNG is left as it was.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    /// <remarks>
    /// For PyTorch weights with another class count than the data's (see <see cref="Check"/>), the classifier is a freshly
    /// initialised one of the data's class count, drawn from the global torch RNG (seeded by the caller), and every other
    /// tensor is the model's.
    /// </remarks>
    public CnnNetwork CopyDenseNetwork()
    {
        if (!_replaceClassifier)
        {
            return model.CopyDenseNetwork();
        }

        var source = model.DenseNetwork;
        var network = CnnZoo.Create(source.Architecture, source.InputShape, _dataClasses, [.. source.Widths]);
        try
        {
            network.InputNormalization = source.InputNormalization;
            using var noGrad = torch.no_grad();
            var from = source.state_dict();
            string classifier = network.ClassifierName + ".";
            foreach (var (name, tensor) in network.state_dict())
            {
                if (!name.StartsWith(classifier, StringComparison.Ordinal))
                {
                    tensor.copy_(from[name]);
                }
            }

            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// "warm start from a model trained N epochs" for the summary's options line: N counts the model's training epochs and
    /// those of the models it was itself warm-started from (read back from its own options line).
    /// </summary>
    public string Describe()
    {
        if (model.PretrainedDescription is { } pretrained)
        {
            string classifier = _replaceClassifier
                ? string.Create(CultureInfo.InvariantCulture, $"; classifier '{model.DenseNetwork.ClassifierName}' replaced by a freshly initialised one: {model.Labels.Count} classes in the weights, {_dataClasses} in the data")
                : string.Empty;
            return $"warm start from {pretrained}{classifier}";
        }

        int epochs = model.TrainingHistory.Count + EarlierEpochs(model.TrainingOptionsText);
        return string.Create(CultureInfo.InvariantCulture, $"{Marker}{epochs} epoch{(epochs == 1 ? string.Empty : "s")}");
    }

    /// <summary>The N of a trailing "warm start from a model trained N epochs" in an options line; 0 when there is none.</summary>
    internal static int EarlierEpochs(string trainingOptions)
    {
        var match = TrailingMarker().Match(trainingOptions);
        return match.Success && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int epochs) ? epochs : 0;
    }

    [GeneratedRegex(Marker + @"(\d+) epochs?$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingMarker();
}
