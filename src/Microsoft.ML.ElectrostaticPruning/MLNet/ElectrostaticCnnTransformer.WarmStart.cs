namespace Microsoft.ML.ElectrostaticPruning;

/// <content>What <see cref="ElectrostaticCnnTrainer.Fit(IDataView, ElectrostaticCnnTransformer)"/> reads from the model it continues from.</content>
public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>The classes the model was trained on.</summary>
    internal ClassLabels Labels => _labels;

    /// <summary>Per-epoch metrics of the regularized training of the dense network.</summary>
    internal TrainingHistory TrainingHistory => _training;

    /// <summary>The trainer settings line kept in the summary.</summary>
    internal string TrainingOptionsText => _trainingOptions;

    /// <summary>An independent trainable copy of the dense network (the global torch RNG is left as it was).</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    internal CnnNetwork CopyDenseNetwork()
    {
        ThrowIfDisposed();
        return _dense.Network.Copy();
    }
}
