using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Sandwich training (Universally Slimmable Networks, Yu &amp; Huang 2019) over the pruning ranking, so that one training
/// run prepares every ratio of [<see cref="MinRatio"/>, <see cref="MaxRatio"/>]: each SGD step trains the full network
/// (cross-entropy plus the regularizer) and <see cref="SubNetworks"/> sub-networks, each the network that pruning at some
/// ratio of the range would leave, on the same shared weights; their gradients add up before the one optimizer step.
/// </summary>
/// <remarks>
/// <para>A sub-network keeps, in every conv the plan prunes, the filters the plan's ranking (folded or raw L1 norm)
/// ranks first, re-ranked at the start of every epoch and frozen through it. The order of the last epoch is stored with
/// the model: the network <c>Fit</c> returns and every <c>Prune</c> with the plan's ranking keep its first filters, so
/// they are networks the last epoch trained (ranking the final weights again would swap the filters whose norms crossed
/// during that epoch, 1.5% of VGG-11's at 0.5); past <see cref="MaxRatio"/>, the narrowest sub-network's filters that the
/// final weights rank highest. A sub-network pass slices the shared weights to those filters (the
/// classifier's bias raised by what pruning leaves in the removed channels: the expected ReLU output that compensation adds
/// when the plan compensates), so it computes what the physically pruned network computes, at that network's cost.
/// Sub-network passes normalize with their batch statistics and never update the running ones.</para>
/// <para>Sub-network loss: <c>(1 - lambda) CE(labels) + lambda CE(softmax(full network, detached))</c>, lambda =
/// <see cref="DistillationWeight"/> (inplace distillation), weighted by <see cref="SubNetworkWeight"/> in the step's loss. With one sub-network per step the steps alternate between the
/// narrowest (<see cref="MaxRatio"/>) and a ratio drawn uniformly from the range; with two or more, each step has the
/// narrowest and random ones (the sandwich rule). A sandwich step with one sub-network costs about 1.7 plain steps on
/// ResNet-56 (a sub-network pass costs its narrower network's pass; penalty-overhead benchmark). <c>Fit</c> recalibrates the pruned network it returns on training images
/// (<c>ElectrostaticCnnTrainer.Options.CalibrationImages</c>); re-prune with <c>Prune(plan, calibrationData)</c> for BatchNorm
/// statistics of the new width (deep networks need them: <c>Prune(plan)</c> keeps the full network's). See docs/any-ratio.md for what it measured.</para>
/// </remarks>
public sealed class AnyRatioTrainingOptions
{
    /// <summary>The smallest ratio the model is prepared for, in [0, <see cref="MaxRatio"/>]. Default 0.1.</summary>
    public double MinRatio { get; set; } = 0.1;

    /// <summary>The largest ratio (the narrowest sub-network), in [<see cref="MinRatio"/>, 1). Default 0.7.</summary>
    public double MaxRatio { get; set; } = 0.7;

    /// <summary>Sub-network passes per SGD step, at least 1. Default 1 (a step then costs about 1.7 plain steps; 2: about 2.4).</summary>
    public int SubNetworks { get; set; } = 1;

    /// <summary>Weight lambda of the full network's detached softmax in the sub-network loss, in [0, 1]. Default 0.5 (labels and distillation).</summary>
    public double DistillationWeight { get; set; } = 0.5;

    /// <summary>
    /// First epoch (0-based) with sub-network passes, in [0, Epochs); the epochs before it train the full network alone.
    /// Default null: half-way (<c>Epochs / 2</c>, when the default force starts) from random weights, 0 from an initial
    /// model (<c>Fit(data, initialModel)</c>). From epoch 0 the sub-networks pull a young full network 4 points below plain
    /// training on ResNet-20 (docs/any-ratio.md).
    /// </summary>
    public int? StartEpoch { get; set; }

    /// <summary>
    /// Weight w of each sub-network's loss in the step's loss, <c>CE(full) + penalty + w * sum over sub-networks of their
    /// loss</c>, in (0, 1]. Default 1 (the sandwich rule: every network counts alike). Below 1 the sub-networks pull less
    /// on the shared weights. On SmallCnn (embedded subset, 4 epochs, two seeds) w = 0.5 gained 0.62 points dense and
    /// 0.23-0.80 at ratios 0.1-0.5, and lost 0.20 at 0.6 and 1.35 at 0.7. On ResNet-20 with 10 epochs it widened the
    /// gap between the unpruned and the pruned network at 0.5 from 0.35 to 3.75 points (docs/any-ratio.md), so the
    /// default is 1.
    /// </summary>
    public double SubNetworkWeight { get; set; } = 1;

    /// <summary>
    /// Whether every sub-network's ratio is drawn uniformly from the range, without the narrowest (<see cref="MaxRatio"/>)
    /// that the sandwich rule trains every step (every other step with one sub-network). Default false. Internal: an
    /// ablation of the any-ratio benchmark.
    /// </summary>
    internal bool RandomRatiosOnly { get; set; }

    /// <summary>A copy.</summary>
    internal AnyRatioTrainingOptions Clone() => (AnyRatioTrainingOptions)MemberwiseClone();

    /// <summary>
    /// A copy whose <see cref="StartEpoch"/> is set: its own, or its default for a run of <paramref name="epochs"/> epochs
    /// (from an initial model with <paramref name="warmStart"/>).
    /// </summary>
    internal AnyRatioTrainingOptions Resolved(int epochs, bool warmStart)
    {
        var copy = Clone();
        copy.StartEpoch = StartEpoch ?? ElectrostaticCnnTrainer.Defaults.HalfWayStartEpoch(epochs, warmStart);
        return copy;
    }

    /// <summary>Checks every setting for a run of <paramref name="epochs"/> epochs; the exception names it (<c>AnyRatioTrainingOptions.Setting</c>) with its valid range.</summary>
    internal void Validate(int epochs)
    {
        if (!(MinRatio >= 0 && MinRatio <= MaxRatio && MaxRatio < 1))
        {
            throw new ArgumentOutOfRangeException(
                $"{nameof(AnyRatioTrainingOptions)}.{nameof(MaxRatio)}", MaxRatio, $"AnyRatioTrainingOptions needs 0 <= MinRatio <= MaxRatio < 1; got MinRatio {MinRatio}, MaxRatio {MaxRatio}.");
        }

        if (SubNetworks < 1)
        {
            throw new ArgumentOutOfRangeException($"{nameof(AnyRatioTrainingOptions)}.{nameof(SubNetworks)}", SubNetworks, "AnyRatioTrainingOptions.SubNetworks must be at least 1.");
        }

        if (StartEpoch is int start && (start < 0 || start >= epochs))
        {
            throw new ArgumentOutOfRangeException(
                $"{nameof(AnyRatioTrainingOptions)}.{nameof(StartEpoch)}", start, $"AnyRatioTrainingOptions.StartEpoch must lie in [0, Epochs) = [0, {epochs}) so that sub-networks train in at least one epoch (null = half-way).");
        }

        if (!(SubNetworkWeight > 0 && SubNetworkWeight <= 1))
        {
            throw new ArgumentOutOfRangeException($"{nameof(AnyRatioTrainingOptions)}.{nameof(SubNetworkWeight)}", SubNetworkWeight, "AnyRatioTrainingOptions.SubNetworkWeight must lie in (0, 1].");
        }

        if (!(DistillationWeight >= 0 && DistillationWeight <= 1))
        {
            throw new ArgumentOutOfRangeException($"{nameof(AnyRatioTrainingOptions)}.{nameof(DistillationWeight)}", DistillationWeight, "AnyRatioTrainingOptions.DistillationWeight must lie in [0, 1].");
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"any-ratio sandwich training {MinRatio:G3}-{MaxRatio:G3} ({SubNetworks} sub-network{(SubNetworks == 1 ? string.Empty : "s")} per step{(SubNetworkWeight == 1 ? string.Empty : $" weighted {SubNetworkWeight:G3}")}, distillation {DistillationWeight:G3}{StartEpoch switch { null => ", from half-way, or epoch 0 of a warm start", 0 => string.Empty, int start => $", from epoch {start}" }})");
}
