namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>A physically pruned network and how it compares to the dense one.</summary>
/// <param name="Network">The new, smaller network (same architecture, fewer channels; the dense one is untouched).</param>
/// <param name="Plan">The plan that was applied.</param>
/// <param name="Layers">Per conv of the dense network, in GReg order: ratio, original and kept filters.</param>
/// <param name="Dense">Complexity of the dense network, measured on it.</param>
/// <param name="Pruned">Complexity of the pruned network, measured on it.</param>
internal sealed record PruningResult(CnnNetwork Network, PruningPlan Plan, IReadOnlyList<LayerPruning> Layers, ModelComplexity Dense, ModelComplexity Pruned)
{
    /// <summary>Dense FLOPs / pruned FLOPs (the paper's speedup).</summary>
    public double Speedup => (double)Dense.Flops / Pruned.Flops;

    /// <summary>Dense parameters / pruned parameters.</summary>
    public double CompressionRatio => (double)Dense.Parameters / Pruned.Parameters;
}
