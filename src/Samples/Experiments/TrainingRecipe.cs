using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>One row group of the paper's Table 1: optimizer, schedule, epochs and batch size of a training stage.</summary>
/// <param name="Epochs">Epochs of the stage.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="Momentum">SGD momentum (the first number of "SGD(0.9, 5e-4)").</param>
/// <param name="WeightDecay">SGD weight decay (the second number).</param>
/// <param name="Schedule">
/// Learning-rate policy: "P1", "P2", "epoch:rate,..." (<see cref="LearningRateSchedule.Parse"/>), or "P1 from 0.02": P1's
/// shape (÷10 at half, ÷100 at three quarters) scaled to the stage's epochs, from that rate.
/// </param>
/// <param name="Augment">CIFAR-style augmentation (pad 4, random crop, horizontal flip).</param>
internal sealed record TrainingRecipe(int Epochs, int BatchSize, double Momentum, double WeightDecay, string Schedule, bool Augment)
{
    private const string ScaledP1Prefix = "P1 from ";

    /// <summary>The recipe as the paper writes it, e.g. "SGD(0.9, 5e-4), P2, 120 epochs, batch 128".</summary>
    public override string ToString() =>
        FormattableString.Invariant($"SGD({Momentum}, {WeightDecay:0.####e0}), {Schedule}, {Epochs} epochs, batch {BatchSize}{(Augment ? ", augmented" : string.Empty)}")
            .Replace(", 0e0)", ", 0)", StringComparison.Ordinal);

    /// <summary>The learning rate per epoch of a run of <paramref name="epochs"/> epochs.</summary>
    /// <exception cref="FormatException">The schedule is not one of the forms above.</exception>
    public LearningRateSchedule ScheduleFor(int epochs)
    {
        if (!Schedule.StartsWith(ScaledP1Prefix, StringComparison.Ordinal))
        {
            return LearningRateSchedule.Parse(Schedule);
        }

        var rate = double.Parse(Schedule[ScaledP1Prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
        int half = Math.Max(1, epochs / 2), threeQuarters = Math.Max(half + 1, epochs * 3 / 4);
        return LearningRateSchedule.Parse(
            epochs < 2 ? FormattableString.Invariant($"0:{rate:G3}")
            : threeQuarters >= epochs ? FormattableString.Invariant($"0:{rate:G3},{half}:{rate / 10:G3}")
            : FormattableString.Invariant($"0:{rate:G3},{half}:{rate / 10:G3},{threeQuarters}:{rate / 100:G3}"));
    }
}
