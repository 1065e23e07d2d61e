namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>What pruning did to one conv.</summary>
/// <param name="Layer">The conv in the dense network.</param>
/// <param name="Ratio">The plan's ratio for it (0 when not pruned).</param>
/// <param name="OriginalFilters">Filters in the dense network.</param>
/// <param name="KeptIndices">Dense filter indices that survive, ascending.</param>
internal sealed record LayerPruning(ConvLayerInfo Layer, double Ratio, int OriginalFilters, IReadOnlyList<int> KeptIndices)
{
    /// <summary>Filters in the pruned network.</summary>
    public int KeptFilters => KeptIndices.Count;

    /// <summary>Whether any filter was removed.</summary>
    public bool IsPruned => KeptFilters < OriginalFilters;
}
