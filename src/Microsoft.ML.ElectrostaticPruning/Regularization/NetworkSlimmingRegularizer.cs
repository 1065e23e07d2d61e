using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Network slimming (Liu et al. 2017), the standard BatchNorm-based channel-pruning baseline: <c>rate * sum |gamma_n|</c>
/// over the BatchNorm scales of the convs to prune. Select it with
/// <c>Regularizer = new NetworkSlimmingRegularizer.Options { Rate = 1e-4 }</c>.
/// </summary>
public sealed class NetworkSlimmingRegularizer : PruningRegularizer
{
    private readonly IReadOnlyList<BatchNorm2d> _batchNorms;
    private readonly double _rate;

    private NetworkSlimmingRegularizer(IReadOnlyList<BatchNorm2d> batchNorms, double rate)
    {
        _batchNorms = batchNorms;
        _rate = rate;
    }

    /// <inheritdoc />
    internal override Tensor Penalty(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != _batchNorms.Count)
        {
            throw new ArgumentException($"Expected one conv weight per BatchNorm ({_batchNorms.Count}), got {weights.Count}.", nameof(weights));
        }

        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var batchNorm in _batchNorms)
        {
            var term = batchNorm.weight!.abs().sum().Times(_rate);
            total = total is null ? term : total.Plus(term);
        }

        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>For tests: the penalty on <paramref name="batchNorms"/> at <paramref name="rate"/>.</summary>
    internal static NetworkSlimmingRegularizer For(IReadOnlyList<BatchNorm2d> batchNorms, double rate) => new(batchNorms, rate);

    /// <summary>Settings of network slimming.</summary>
    public sealed class Options : OptionsBase
    {
        /// <summary>
        /// The rate of <c>rate * sum |gamma|</c>, finite and at least 0. Default 1e-4 (Liu et al. use 1e-4 for VGG and 1e-5
        /// for ResNets; 3e-2 measured best on SmallCnn, see docs/results.md).
        /// </summary>
        public double Rate { get; set; } = 1e-4;

        /// <inheritdoc />
        internal override string Name => "network slimming";

        /// <inheritdoc />
        internal override string Settings => string.Create(CultureInfo.InvariantCulture, $" (rate {Rate:G3})");

        /// <inheritdoc />
        internal override PruningRegularizer Create(RegularizationTarget target) => new NetworkSlimmingRegularizer(target.BatchNorms(Name), Rate);

        /// <inheritdoc />
        private protected override void ValidateSettings() => OptionChecks.RequireNonNegative(Rate, OptionName(nameof(Rate)), "Liu et al. use 1e-4 and 1e-5");
    }
}
