using Microsoft.ML.Runtime;

namespace Microsoft.ML.ElectrostaticPruning;

public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>
    /// Fine-tunes a copy of the pruned network on <paramref name="trainData"/> (plain cross-entropy, no pruning penalty)
    /// and returns a new transformer that scores with it. This transformer is unchanged; the new one keeps the same
    /// dense network, plan and classes, and its summary lists the fine-tuning epochs.
    /// </summary>
    /// <param name="trainData">Rows with the label and feature columns the options name.</param>
    /// <param name="options">Settings; null for the defaults (Table 1's fine-tuning stage for 2 epochs).</param>
    /// <returns>A new transformer; dispose it when done.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The data has no rows, or its label has another number of classes than the model.</exception>
    /// <exception cref="InvalidOperationException">A feature is NaN or infinite, or a label is outside the key range.</exception>
    /// <exception cref="OperationCanceledException">The options' token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public ElectrostaticCnnTransformer FineTune(IDataView trainData, FineTuneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ThrowIfDisposed();
        var o = (options ?? new FineTuneOptions()).Clone();
        o.Validate();
        var shape = _pruned.InputShape;
        var stop = HostCancellation.Stop(_host, o.CancellationToken);
        var train = ReadLabeledData(trainData, o.FeatureColumnName, o.LabelColumnName, DataSetRole.FineTuning, stop);
        var validation = o.ValidationSet is null ? null : ReadLabeledData(o.ValidationSet, o.FeatureColumnName, o.LabelColumnName, DataSetRole.FineTuneValidation, stop);
        int seed = o.Seed ?? _host.Rand.Next();
        var trainingOptions = o.ToTrainingOptions(seed, train.Count);

        var network = _pruned.Copy();
        TrainingHistory history;
        try
        {
            using var ch = _host.Start("FineTuning");
            ch.Info(MessageSensitivity.None, $"Fine-tuning the {shape} {network.Architecture} pruned by {_plan} on {train.Count} images, seed {seed}.");
            history = new NetworkTrainer().Train(network, [], train, validation, trainingOptions, new EpochReporter(ch, "fine-tuning", o.Epochs, o.ProgressCallback), stop);
            network.eval();
        }
        catch
        {
            network.Dispose();
            throw;
        }

        var fineTuning = new TrainingHistory();
        foreach (var epoch in _fineTuning.Concat(history))
        {
            fineTuning.Add(epoch with { Epoch = fineTuning.Count });
        }

        return new ElectrostaticCnnTransformer(_host, _dense.Acquire(), network, _plan, _labels, _columns, _training, fineTuning, _trainingOptions, _inferenceBatchSize);
    }

    /// <summary>Reads labelled images (the label a key with as many classes as the model) for fine-tuning or a sweep.</summary>
    private ImageDataset ReadLabeledData(IDataView data, string featureColumnName, string labelColumnName, DataSetRole role, TrainingStop stop)
    {
        var shape = _pruned.InputShape;
        var features = SchemaValidation.RequireFeatureColumn(data.Schema, featureColumnName, role, shape.Size);
        var label = SchemaValidation.RequireLabelColumn(data.Schema, labelColumnName, role);
        ulong classes = ((Microsoft.ML.Data.KeyDataViewType)label.Type).Count;
        if (classes != (ulong)_labels.Count)
        {
            throw new ArgumentException(
                $"Label column '{label.Name}' of {role.Name} has {classes} classes, the model {_labels.Count}: build the key with the same MapValueToKey transformer the model was trained with.",
                nameof(data));
        }

        var (values, labels) = TrainingDataReader.Read(data, features, label, shape.Size, role.Name, stop);
        if (labels.Length == 0)
        {
            throw new ArgumentException($"{char.ToUpperInvariant(role.Name[0])}{role.Name[1..]} has no rows; at least one image is needed.", nameof(data));
        }

        return new ImageDataset(values, labels, shape, _labels.Count);
    }
}
