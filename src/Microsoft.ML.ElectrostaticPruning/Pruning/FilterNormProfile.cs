using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// The paper's Figure 3 data for one conv: the L1 norm of every filter, the normalized norm (norm / largest norm
/// of the layer, so the largest filter is 1; an all-zero layer gives all zeros) and the L1 norm of every filter after
/// its BatchNorm is folded in.
/// </summary>
/// <param name="Layer">The conv.</param>
/// <param name="Norms">L1 norm per filter, in filter order.</param>
/// <param name="Normalized">Norm / layer maximum, in filter order.</param>
/// <param name="SortedNormalized">The normalized norms sorted ascending (the curve of Figure 3).</param>
/// <param name="FoldedNorms">
/// <c>|γ_n| / sqrt(σ²_n + ε) · ‖W_n‖₁</c>: the L1 norm of filter n of the BatchNorm-folded conv, what an inference-time
/// network really multiplies by; equal to <paramref name="Norms"/> when the network has no BatchNorm.
/// </param>
internal sealed record FilterNormProfile(ConvLayerInfo Layer, IReadOnlyList<double> Norms, IReadOnlyList<double> Normalized, IReadOnlyList<double> SortedNormalized, IReadOnlyList<double> FoldedNorms)
{
    /// <summary>Profiles every conv that <paramref name="plan"/> prunes in <paramref name="network"/>, in GReg order.</summary>
    public static IReadOnlyList<FilterNormProfile> Measure(CnnNetwork network, PruningPlan plan)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(plan);
        return [.. plan.LayersToPrune(network).Select(layer => Measure(network, layer))];
    }

    /// <summary>Profiles one conv of <paramref name="network"/>.</summary>
    public static FilterNormProfile Measure(CnnNetwork network, ConvLayerInfo layer)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var noGrad = no_grad();
        var weight = network.GetConv(layer).weight!;
        double[] norms = FilterPruner.FilterNorms(weight);
        double[] folded = network.IsBatchNormFolded ? norms : FilterPruner.FoldedFilterNorms(weight, network.GetBatchNorm(layer));
        double max = norms.Max();
        double[] normalized = [.. norms.Select(n => max > 0 ? n / max : 0)];
        double[] sorted = [.. normalized.Order()];
        return new FilterNormProfile(layer, norms, normalized, sorted, folded);
    }
}
