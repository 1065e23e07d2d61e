namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>One row group of the paper's Table 1: optimizer, schedule, epochs and batch size of a training stage.</summary>
/// <param name="Epochs">Epochs of the stage.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="Momentum">SGD momentum (the first number of "SGD(0.9, 5e-4)").</param>
/// <param name="WeightDecay">SGD weight decay (the second number).</param>
/// <param name="Schedule">Learning-rate policy: "P1", "P2" or "epoch:rate,...".</param>
/// <param name="Augment">CIFAR-style augmentation (pad 4, random crop, horizontal flip).</param>
internal sealed record TrainingRecipe(int Epochs, int BatchSize, double Momentum, double WeightDecay, string Schedule, bool Augment)
{
    /// <summary>The recipe as the paper writes it, e.g. "SGD(0.9, 5e-4), P2, 120 epochs, batch 128".</summary>
    public override string ToString() =>
        FormattableString.Invariant($"SGD({Momentum}, {WeightDecay:0.####e0}), {Schedule}, {Epochs} epochs, batch {BatchSize}{(Augment ? ", augmented" : string.Empty)}")
            .Replace(", 0e0)", ", 0)", StringComparison.Ordinal);
}
