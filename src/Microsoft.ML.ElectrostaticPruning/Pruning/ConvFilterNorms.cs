namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Filter norms of one conv of a trained network (the paper's Figure 3): the L1 norm of every filter's raw weights, which
/// the electrostatic charges and the pruner's ranking use, and the L1 norm after the conv's BatchNorm is folded in, which
/// is what the network really multiplies by at inference.
/// </summary>
/// <param name="LayerIndex">GReg layer index of the conv (0 for the first conv).</param>
/// <param name="Name">State-dict prefix of the conv, e.g. <c>layer1.0.conv1</c>.</param>
/// <param name="L1Norms"><c>‖W_n‖₁</c> per filter n, in filter order; each ≥ 0.</param>
/// <param name="FoldedL1Norms">
/// <c>|γ_n| / sqrt(σ²_n + ε) · ‖W_n‖₁</c> per filter (γ the BatchNorm scale, σ² its running variance); each ≥ 0. A
/// filter with a tiny folded norm contributes little whatever its raw norm; BatchNorm makes the raw norm scale-free.
/// </param>
public sealed record ConvFilterNorms(int LayerIndex, string Name, IReadOnlyList<double> L1Norms, IReadOnlyList<double> FoldedL1Norms)
{
    /// <summary>Number of filters (output channels).</summary>
    public int Filters => L1Norms.Count;

    /// <summary><see cref="L1Norms"/> divided by the layer's largest, in [0, 1] (all zeros for an all-zero layer).</summary>
    public IReadOnlyList<double> NormalizedL1Norms => Normalize(L1Norms);

    /// <summary><see cref="FoldedL1Norms"/> divided by the layer's largest, in [0, 1] (all zeros for an all-zero layer).</summary>
    public IReadOnlyList<double> NormalizedFoldedL1Norms => Normalize(FoldedL1Norms);

    private static double[] Normalize(IReadOnlyList<double> norms)
    {
        double max = norms.Count == 0 ? 0 : norms.Max();
        return [.. norms.Select(n => max > 0 ? n / max : 0)];
    }
}
