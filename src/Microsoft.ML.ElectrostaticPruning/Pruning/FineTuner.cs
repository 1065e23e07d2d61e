namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// Fine-tunes a pruned network with the paper's Table 1 "ft" settings: SGD (momentum 0.9, weight decay 5e-4), the P2
/// schedule (0: 1e-2, 60: 1e-3, 90: 1e-4), plain cross-entropy (no pruning regularizer), a configurable number of epochs.
/// </summary>
internal static class FineTuner
{
    /// <summary>The paper's fine-tuning options for <paramref name="epochs"/> epochs.</summary>
    /// <param name="epochs">Number of epochs; at least 1 (the paper follows GReg's schedule; P2 drops the rate at 60 and 90).</param>
    /// <param name="batchSize">Images per step; at least 1. Default 128.</param>
    /// <param name="seed">Seed of shuffling and augmentation. Default 0.</param>
    /// <param name="augment">CIFAR-style pad-crop-flip augmentation. Default false.</param>
    public static TrainingOptions PaperOptions(int epochs, int batchSize = ElectrostaticCnnTrainer.Defaults.BatchSize, int seed = 0, bool augment = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        return new ElectrostaticCnnTransformer.FineTuneOptions { Epochs = epochs, BatchSize = batchSize, Augment = augment }
            .ToTrainingOptions(seed, rows: int.MaxValue);
    }

    /// <summary>Trains <paramref name="pruned"/> in place with <paramref name="options"/> (see <see cref="PaperOptions"/>).</summary>
    /// <exception cref="ArgumentException">The options ask for a pruning regularizer; fine-tuning uses none.</exception>
    public static TrainingHistory FineTune(
        CnnNetwork pruned,
        ImageDataset train,
        ImageDataset? validation,
        TrainingOptions options,
        IProgress<EpochMetrics>? progress = null,
        TrainingStop stop = default)
    {
        ArgumentNullException.ThrowIfNull(pruned);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Regularizer != RegularizerKind.None)
        {
            throw new ArgumentException($"Regularizer is {options.Regularizer}, but fine-tuning a pruned network uses plain cross-entropy; set Regularizer = None (see FineTuner.PaperOptions).", nameof(options));
        }

        return new NetworkTrainer().Train(pruned, [], train, validation, options, progress, stop);
    }
}
