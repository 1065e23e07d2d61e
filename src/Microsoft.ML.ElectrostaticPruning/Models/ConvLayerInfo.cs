namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>Describes one convolution of a <see cref="CnnNetwork"/> for pruning and regularization.</summary>
/// <param name="LayerIndex">
/// GReg layer index: Conv2d and Linear layers numbered in definition order, shortcut convs not advancing it.
/// A shortcut conv carries the index of the conv defined just before it (the last conv of its block).
/// </param>
/// <param name="Name">State-dict prefix of the conv module, e.g. <c>layer1.0.conv1</c>.</param>
/// <param name="Stage">0 for a ResNet stem, k for residual stage k (1-based); for plain networks the 1-based group of convs between poolings.</param>
/// <param name="Block">0-based block index inside the stage (0 for the stem and for plain networks).</param>
/// <param name="Position">1-based position of the conv inside its block (or group); 0 for a shortcut conv.</param>
/// <param name="IsShortcut">Whether this is a shortcut (downsample) conv; those are never pruned.</param>
/// <param name="IsResidualLocked">Whether the output joins a residual sum (last conv of a residual block, a shortcut, or a stem feeding an identity shortcut); never pruned.</param>
/// <param name="OutChannels">Number of output channels (filters).</param>
internal sealed record ConvLayerInfo(int LayerIndex, string Name, int Stage, int Block, int Position, bool IsShortcut, bool IsResidualLocked, int OutChannels)
{
    /// <summary>Whether filters of this conv may be removed (not a shortcut, not residual-locked, at least 2 filters).</summary>
    public bool IsPrunable => !IsShortcut && !IsResidualLocked && OutChannels >= 2;
}
