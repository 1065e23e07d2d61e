namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// One convolution of a <see cref="NetworkDescription"/>: where it sits, how many filters it has and how many a
/// pruning plan keeps (<c>kept = n - min(ceil(ratio * n), n - 1)</c>, GReg's count, computed in double).
/// </summary>
/// <param name="LayerIndex">
/// GReg layer index: Conv2d and Linear layers numbered in definition order, 0 for the first conv; a shortcut
/// (downsample) conv does not advance it and carries the index of the conv defined just before it.
/// </param>
/// <param name="Name">State-dict prefix of the conv module, e.g. <c>layer1.0.conv1</c> or <c>features.0</c>.</param>
/// <param name="Stage">
/// ResNets: 0 for the stem, k for residual stage k (1-based, <c>layerk</c>). Plain networks (VGG, SmallCnn): the 1-based
/// group of convs between two poolings. The first number of a skip-list entry <c>stage.block</c>.
/// </param>
/// <param name="Block">0-based block inside the stage (0 for the stem and for plain networks); the second number of a skip-list entry.</param>
/// <param name="IsShortcut">Whether this is a shortcut (downsample) conv.</param>
/// <param name="Filters">Output channels (filters) of the dense conv, at least 1.</param>
/// <param name="KeptFilters">Filters left after the plan, between 1 and <paramref name="Filters"/>; equal to it without a plan.</param>
/// <param name="Ratio">The plan's pruning ratio for this conv, in [0, 1); 0 when it is not pruned or there is no plan.</param>
/// <param name="IsPrunable">Whether any plan may remove filters of this conv (see <paramref name="NotPrunableReason"/>).</param>
/// <param name="IsSkipped">Whether the plan's skip list names this conv's <c>stage.block</c>, forcing its ratio to 0.</param>
/// <param name="NotPrunableReason">
/// Null for a prunable conv; otherwise why its filters stay: a shortcut conv, a residual-locked conv (its output
/// joins a residual sum: the last conv of a residual block, or a ResNet stem feeding an identity shortcut), or a
/// single filter.
/// </param>
public sealed record ConvLayerDescription(
    int LayerIndex,
    string Name,
    int Stage,
    int Block,
    bool IsShortcut,
    int Filters,
    int KeptFilters,
    double Ratio,
    bool IsPrunable,
    bool IsSkipped,
    string? NotPrunableReason)
{
    /// <summary>Filters the plan removes: <c>Filters - KeptFilters</c>, at least 0.</summary>
    public int RemovedFilters => Filters - KeptFilters;

    /// <summary>Whether the plan removes at least one filter of this conv.</summary>
    public bool IsPruned => KeptFilters < Filters;
}
