namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>How one prunable convolution fared.</summary>
/// <param name="LayerIndex">GReg layer index (shortcut convs do not advance it).</param>
/// <param name="Name">Module path, e.g. "layer1.0.conv1".</param>
/// <param name="Ratio">Pruning ratio the plan gave the layer, in [0, 1).</param>
/// <param name="Filters">Filters of the dense layer.</param>
/// <param name="KeptFilters">Filters left after pruning: <c>Filters - min(ceil(Ratio * Filters), Filters - 1)</c>.</param>
public sealed record PrunedLayerSummary(int LayerIndex, string Name, double Ratio, int Filters, int KeptFilters);
