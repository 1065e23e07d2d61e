using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// Builds a network's layers in one of two forms: trainable (a bias-free conv followed by a BatchNorm) or folded for
/// inference (a conv with bias that already holds the BatchNorm's affine map, no BatchNorm module, and the
/// inference-only <see cref="Models.MaxPool2x2"/>). The convs get the same names in both forms, so folded weights are
/// copied layer by layer.
/// </summary>
/// <param name="FoldBatchNorm">Whether to build the folded inference form.</param>
internal readonly record struct LayerFactory(bool FoldBatchNorm)
{
    /// <summary>A square conv; it has a bias only in the folded form.</summary>
    public Conv2d Conv(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0)
    {
        var conv = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: false);
        if (FoldBatchNorm)
        {
            // Added by hand: TorchSharp's own bias initialisation leaves a tensor wrapper alive until the GC finds it,
            // and the folded network receives its bias from the network it folds anyway.
            conv.bias = new Parameter(zeros(outChannels), requires_grad: false);
        }

        return conv;
    }

    /// <summary>The BatchNorm after a conv with <paramref name="features"/> filters; null in the folded form.</summary>
    public BatchNorm2d? BatchNorm(long features) => FoldBatchNorm ? null : nn.BatchNorm2d(features);

    /// <summary>2x2 max-pooling with stride 2: libtorch's module when trainable, <see cref="MaxPool2x2"/> in the folded form.</summary>
    public nn.Module<Tensor, Tensor> MaxPool2x2() => FoldBatchNorm ? new MaxPool2x2() : nn.MaxPool2d(kernel_size: 2);

    /// <summary>Applies <paramref name="batchNorm"/>, or passes <paramref name="x"/> through when it was folded away.</summary>
    public static Tensor Normalize(BatchNorm2d? batchNorm, Tensor x) => batchNorm is null ? x : batchNorm.call(x);
}
