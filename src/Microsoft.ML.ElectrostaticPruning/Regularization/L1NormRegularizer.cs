using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Regularization;

/// <summary>The paper's L1 baseline: <c>rate * sum |w|</c> over every weight of the regularized layers.</summary>
internal sealed class L1NormRegularizer : IWeightRegularizer
{
    /// <summary>The paper's L1 regularization rate.</summary>
    public const double DefaultRate = 1e-2;

    /// <summary>Creates the regularizer.</summary>
    /// <param name="rate">Regularization rate, finite and &gt;= 0 (default 1e-2, the paper's).</param>
    public L1NormRegularizer(double rate = DefaultRate)
    {
        if (!double.IsFinite(rate) || rate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The L1 regularization rate must be finite and at least 0 (the paper uses 1e-2).");
        }

        Rate = rate;
    }

    /// <inheritdoc />
    public RegularizerKind Kind => RegularizerKind.L1;

    /// <summary>Regularization rate.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public Tensor Penalty(IReadOnlyList<Tensor> weights)
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

        return total.Times(Rate).MoveToOuterDisposeScope();
    }
}
