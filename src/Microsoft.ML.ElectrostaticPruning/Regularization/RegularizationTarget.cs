using TorchSharp.Modules;

namespace Microsoft.ML.ElectrostaticPruning.Regularization;

/// <summary>What a regularizer acts on: the convs to prune of one network, in the order their weights are given, and the plan that prunes them.</summary>
/// <param name="Network">The trainable network.</param>
/// <param name="Layers">The convs whose weights the penalty receives, in that order.</param>
/// <param name="Plan">The pruning plan (which filters it removes); null when the regularizer needs none.</param>
/// <param name="AnyRatio">The any-ratio range the training prepares (sandwich training), or null for the plan alone.</param>
internal sealed record RegularizationTarget(CnnNetwork Network, IReadOnlyList<ConvLayerInfo> Layers, PruningPlan? Plan, AnyRatioTrainingOptions? AnyRatio = null)
{
    /// <summary>The BatchNorm after each conv, in order.</summary>
    /// <exception cref="ArgumentException">The network has no BatchNorms (it was folded for inference).</exception>
    public IReadOnlyList<BatchNorm2d> BatchNorms(string kind) => Network.IsBatchNormFolded
        ? throw new ArgumentException($"The {kind} acts on the BatchNorm after each regularized convolution; a BatchNorm-folded network has none.", nameof(Network))
        : [.. Layers.Select(Network.GetBatchNorm)];
}
