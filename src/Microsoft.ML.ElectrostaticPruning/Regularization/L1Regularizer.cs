using System.Globalization;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// The paper's L1 baseline: <c>rate * sum |w|</c> over every weight of the convs to prune. Select it with
/// <c>Regularizer = new L1Regularizer.Options { Rate = 1e-2 }</c>.
/// </summary>
public sealed class L1Regularizer : PruningRegularizer
{
    private readonly double _rate;

    private L1Regularizer(double rate) => _rate = rate;

    /// <inheritdoc />
    internal override Tensor Penalty(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0)
        {
            throw new ArgumentException("L1 regularization needs at least one layer to regularize.", nameof(weights));
        }

        using var scope = NewDisposeScope();
        var total = weights[0].abs().sum();
        for (int i = 1; i < weights.Count; i++)
        {
            total = total.Plus(weights[i].abs().sum());
        }

        return total.Times(_rate).MoveToOuterDisposeScope();
    }

    /// <summary>Settings of the L1 baseline.</summary>
    public sealed class Options : OptionsBase
    {
        /// <summary>The rate of <c>rate * sum |w|</c>, finite and at least 0. Default 1e-2, the paper's.</summary>
        public double Rate { get; set; } = 1e-2;

        /// <inheritdoc />
        internal override string Name => "L1-norm";

        /// <inheritdoc />
        internal override string Settings => string.Create(CultureInfo.InvariantCulture, $" (rate {Rate:G3})");

        /// <inheritdoc />
        internal override PruningRegularizer Create(RegularizationTarget target) => new L1Regularizer(Rate);

        /// <inheritdoc />
        private protected override void ValidateSettings() => OptionChecks.RequireNonNegative(Rate, OptionName(nameof(Rate)), "the paper uses 1e-2");
    }
}
