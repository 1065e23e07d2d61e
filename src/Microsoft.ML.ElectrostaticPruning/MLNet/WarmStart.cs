using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;

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
    }

    /// <summary>An independent trainable copy of the model's dense network; the global torch RNG is left as it was.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public CnnNetwork CopyDenseNetwork() => model.CopyDenseNetwork();

    /// <summary>
    /// "warm start from a model trained N epochs" for the summary's options line: N counts the model's training epochs and
    /// those of the models it was itself warm-started from (read back from its own options line).
    /// </summary>
    public string Describe()
    {
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
