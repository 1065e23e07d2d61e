using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Regularization;

/// <summary>
/// The penalties that act through the BatchNorm after each regularized conv: network slimming (<c>rate * sum |gamma|</c>,
/// Liu et al. 2017) and the electrostatic force on BN-folded charges (<see cref="ElectrostaticForce.FoldedLayerPenalty"/>).
/// The BatchNorm modules are read at every step, so moving the network to another device keeps them valid.
/// </summary>
internal sealed class BatchNormRegularizer : IWeightRegularizer
{
    /// <summary>Liu et al.'s rate for VGG on CIFAR (1e-5 for ResNets).</summary>
    public const double DefaultSlimmingRate = 1e-4;

    private readonly IReadOnlyList<BatchNorm2d> _batchNorms;
    private readonly double _scale;
    private readonly double _distanceEpsilon;
    private readonly IReadOnlyList<int>? _targetCounts;
    private readonly bool _targetByRawNorm;

    private BatchNormRegularizer(RegularizerKind kind, IReadOnlyList<BatchNorm2d> batchNorms, double scale, double distanceEpsilon, IReadOnlyList<int>? targetCounts = null, bool targetByRawNorm = false)
    {
        ArgumentNullException.ThrowIfNull(batchNorms);
        if (batchNorms.Count == 0)
        {
            throw new ArgumentException($"{kind} acts on the BatchNorm after each regularized convolution; the network has none (a BatchNorm-folded network cannot be trained with it).", nameof(batchNorms));
        }

        Kind = kind;
        _batchNorms = batchNorms;
        _scale = scale;
        _distanceEpsilon = distanceEpsilon;
        if (targetCounts is not null && targetCounts.Count != batchNorms.Count)
        {
            throw new ArgumentException($"Expected one target count per regularized layer ({batchNorms.Count}), got {targetCounts.Count}.", nameof(targetCounts));
        }

        _targetCounts = targetCounts;
        _targetByRawNorm = targetByRawNorm;
    }

    /// <inheritdoc />
    public RegularizerKind Kind { get; }

    /// <summary>Network slimming at <paramref name="rate"/> (finite, at least 0).</summary>
    public static BatchNormRegularizer Slimming(IReadOnlyList<BatchNorm2d> batchNorms, double rate)
    {
        if (!double.IsFinite(rate) || rate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The network slimming rate must be finite and at least 0 (Liu et al. use 1e-4 and 1e-5).");
        }

        return new BatchNormRegularizer(RegularizerKind.NetworkSlimming, batchNorms, rate, 1);
    }

    /// <summary>
    /// The folded-charge electrostatic force with <c>alpha_e * k_e = </c><paramref name="forceScale"/>; with
    /// <paramref name="targetCounts"/> (one per layer) only the weakest filters of each layer, as many as its count, feel it,
    /// ranked by the folded magnitude or (<paramref name="targetByRawNorm"/>) by the raw L1 norm, as the pruning plan ranks.
    /// </summary>
    public static BatchNormRegularizer FoldedForce(IReadOnlyList<BatchNorm2d> batchNorms, double forceScale, double distanceEpsilon, IReadOnlyList<int>? targetCounts = null, bool targetByRawNorm = false) =>
        new(RegularizerKind.FoldedElectrostaticForce, batchNorms, forceScale, distanceEpsilon, targetCounts, targetByRawNorm);

    /// <inheritdoc />
    public Tensor Penalty(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != _batchNorms.Count)
        {
            throw new ArgumentException($"Expected one conv weight per BatchNorm ({_batchNorms.Count}), got {weights.Count}.", nameof(weights));
        }

        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (int i = 0; i < weights.Count; i++)
        {
            var term = Kind == RegularizerKind.NetworkSlimming
                ? _batchNorms[i].weight!.abs().sum().Times(_scale)
                : ElectrostaticForce.FoldedLayerPenalty(weights[i], _batchNorms[i], _scale, _distanceEpsilon, _targetCounts?[i], _targetByRawNorm);
            total = total is null ? term : total.Plus(term);
        }

        return total!.MoveToOuterDisposeScope();
    }
}
