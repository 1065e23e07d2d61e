namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>How one prunable convolution fared.</summary>
/// <param name="LayerIndex">GReg layer index (shortcut convs do not advance it).</param>
/// <param name="Name">Module path, e.g. "layer1.0.conv1".</param>
/// <param name="Ratio">Pruning ratio the plan gave the layer, in [0, 1).</param>
/// <param name="Filters">Filters of the dense layer.</param>
/// <param name="KeptFilters">Filters left after pruning: <c>Filters - min(ceil(Ratio * Filters), Filters - 1)</c>.</param>
/// <param name="DeadChannels">
/// Channels of the dense layer that contribute nothing: BatchNorm-folded L1 norm
/// <c>||W_n||_1 |gamma_n| / sqrt(var_n + eps)</c> at most 1e-3 of the layer's largest. Removing a dead channel costs no
/// accuracy (its output is the constant BatchNorm shift); with BatchNorm, a small raw norm alone does not make a channel dead.
/// </param>
/// <param name="SourceNormShare">The source filter's (largest raw L1 norm) share of the layer's total raw L1 norm, in (0, 1]; a runaway source has a large share.</param>
/// <param name="RemovedWithSourceSign">
/// Removed filters whose charge has the source's sign (the ones the force repels toward zero); the paper expects the
/// removed filters to be these.
/// </param>
public sealed record PrunedLayerSummary(int LayerIndex, string Name, double Ratio, int Filters, int KeptFilters, int DeadChannels, double SourceNormShare, int RemovedWithSourceSign)
{
    /// <summary>Filters the plan removed: <c>Filters - KeptFilters</c>.</summary>
    public int RemovedFilters => Filters - KeptFilters;
}
