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

    /// <summary>2x2 max-pooling with stride 2 (<see cref="Models.MaxPool2x2"/>), in this form.</summary>
    public MaxPool2x2 MaxPool2x2() => new(inference: FoldBatchNorm);

    /// <summary>
    /// <c>conv(x)</c>, or in a sandwich sub-network pass (<see cref="Training.SubNetwork"/>) the conv of the kept filters
    /// and input channels. Every network's forward runs its convs through this.
    /// </summary>
    public static Tensor Convolve(Conv2d conv, Tensor x) => Training.SubNetwork.Convolve(conv, x) ?? conv.call(x);

    /// <summary><c>classifier(features)</c>, or in a sandwich sub-network pass the classifier of the kept features.</summary>
    public static Tensor Classify(Linear classifier, Tensor features) => Training.SubNetwork.Classify(classifier, features) ?? classifier.call(features);

    /// <summary>
    /// Applies <paramref name="batchNorm"/> exactly as TorchSharp's <c>BatchNorm2d.forward</c> does (the same
    /// <c>batch_norm</c> call; in training mode the batch counter counts and the running statistics move by the module's
    /// momentum, or by the cumulative average 1/count when the momentum is null), or passes <paramref name="x"/> through
    /// when it was folded away.
    /// </summary>
    /// <remarks>
    /// Not through <c>batchNorm.call</c>: TorchSharp 0.107 counts with <c>num_batches_tracked.add_(1)</c>, a temporary
    /// Scalar that a garbage collection on another thread can free while libtorch reads it (see <see cref="CachedScalars"/>).
    /// </remarks>
    public static Tensor Normalize(BatchNorm2d? batchNorm, Tensor x)
    {
        if (batchNorm is null)
        {
            return x;
        }

        if (x.dim() != 4)
        {
            throw new ArgumentException($"BatchNorm2d expects a 4-D input (N x C x H x W), got {x.dim()} dimensions.", nameof(x));
        }

        if (Training.SubNetwork.IsActive && batchNorm.training)
        {
            // A sandwich sub-network pass: batch statistics of the kept channels, running statistics untouched.
            var kept = Training.SubNetwork.KeptChannels(batchNorm);
            Tensor? weight = kept is null ? batchNorm.weight : batchNorm.weight!.index_select(0, kept);
            Tensor? bias = kept is null ? batchNorm.bias : batchNorm.bias!.index_select(0, kept);
            return nn.functional.batch_norm(x, null, null, weight, bias, true, 0.0, batchNorm.eps);
        }

        double factor = batchNorm.momentum ?? 0.0;
        if (batchNorm.training && batchNorm.track_running_stats && batchNorm.num_batches_tracked is { } counter)
        {
            counter.add_(CachedScalars.IntegerOne, CachedScalars.IntegerOne);
            factor = batchNorm.momentum ?? (1.0 / counter.item<long>());
        }

        bool training = batchNorm.training || (batchNorm.running_mean is null && batchNorm.running_var is null);
        bool useStatistics = !batchNorm.training || batchNorm.track_running_stats;
        return nn.functional.batch_norm(
            x,
            useStatistics ? batchNorm.running_mean : null,
            useStatistics ? batchNorm.running_var : null,
            batchNorm.weight,
            batchNorm.bias,
            training,
            factor,
            batchNorm.eps);
    }
}
