using Microsoft.ML.ElectrostaticPruning.PyTorch;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.ElectrostaticPruning;

/// <content>PyTorch weights in (a pretrained model to warm-start from) and out (the trainable network as safetensors).</content>
public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>How the options line of a model loaded from PyTorch weights starts; what the warm start recognises it by.</summary>
    internal const string PretrainedMarker = "pretrained: ";

    /// <summary>The load description of a model made from PyTorch weights (null for a model this library trained).</summary>
    internal string? PretrainedDescription =>
        _training.Count == 0 && _trainingOptions.StartsWith(PretrainedMarker, StringComparison.Ordinal) ? _trainingOptions[PretrainedMarker.Length..] : null;

    /// <summary>
    /// Writes the network this model scores with (pruned and fine-tuned as it is, BatchNorm not folded: trainable) as a
    /// <c>.safetensors</c> file under the PyTorch reference's parameter names, with metadata: architecture, reference,
    /// kept widths per conv, class names, input shape and input normalization.
    /// <c>src/Microsoft.ML.ElectrostaticPruning/PyTorch/electrostatic_pruning_torch.py</c> (also in the package under
    /// <c>tools/</c>) rebuilds the narrower torchvision / akamaster / VGG model from the shapes and loads it with <c>strict=True</c>.
    /// </summary>
    /// <param name="path">The file to write; written atomically (a temporary file renamed over it).</param>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void SavePyTorch(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ThrowIfDisposed();
        PyTorchExport.Save(_pruned, path, _labels.Names);
    }

    /// <summary>An unpruned model around a network loaded from PyTorch weights; it owns the network from here on.</summary>
    internal static ElectrostaticCnnTransformer FromPretrained(IHostEnvironment env, PyTorchLoadResult loaded)
    {
        var network = loaded.Network;
        var plan = PruningPlan.Uniform(0);
        ClassLabels labels;
        CnnNetwork pruned;
        try
        {
            labels = ClassLabels.FromNames(network.ClassCount, loaded.ClassNames);
            pruned = FilterPruner.Prune(network, plan).Network;
        }
        catch
        {
            network.Dispose();
            throw;
        }

        // The transformer owns both networks from here on, also when its constructor throws.
        var columns = new ScoringColumns(ElectrostaticCnnTrainer.Defaults.FeatureColumnName, ElectrostaticCnnTrainer.Defaults.ScoreColumnName, ElectrostaticCnnTrainer.Defaults.PredictedLabelColumnName);
        return new ElectrostaticCnnTransformer(
            env, new SharedNetwork(network), pruned, plan, labels, columns, new TrainingHistory(), new TrainingHistory(), PretrainedMarker + loaded.Description, ElectrostaticCnnTrainer.Defaults.InferenceBatchSize);
    }
}
