namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>Where the output channels of a prunable conv (after its BatchNorm and ReLU) are read.</summary>
/// <param name="Convs">Convs whose input channels are this conv's output channels.</param>
/// <param name="ClassifierFeaturesPerChannel">
/// 0 when the classifier does not read this conv; otherwise the number of consecutive classifier input features per
/// channel (1 after global average pooling, H*W after a flatten: channel c maps to features c*k ... c*k+k-1).
/// </param>
internal sealed record ChannelConsumers(IReadOnlyList<ConvLayerInfo> Convs, int ClassifierFeaturesPerChannel);
