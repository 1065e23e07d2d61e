using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// Folds every BatchNorm of a zoo network into the conv before it (inference-time BatchNorm folding). In eval mode
/// a BatchNorm is the per-channel affine map y = γ·(x − μ)/√(σ² + ε) + β, so conv-then-BN equals one conv with
/// W' = W·s and b' = β + (b − μ)·s, where s = γ/√(σ² + ε). The folded network is the same architecture built in its
/// folded form (<see cref="LayerFactory"/>), which names its convs like the original, so the copy goes layer by layer.
/// Its conv weights are stored channels-last (OHWI strides): libtorch's oneDNN convolution computes channels-last
/// whenever the input or the weight is, and then copies an NCHW-strided weight to channels-last on every call, so
/// storing them that way once saves that copy and sends plain NCHW input down the faster channels-last path too.
/// No parameter of the folded network requires gradients, so it records no autograd graph even outside no_grad.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>Builds the folded, eval-mode copy of <paramref name="network"/>; see <see cref="CnnNetwork.ForInference"/>.</summary>
    public static CnnNetwork Fold(CnnNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.IsBatchNormFolded)
        {
            throw new ArgumentException($"This {network.Architecture} already has its BatchNorms folded into the convs.", nameof(network));
        }

        var folded = CreateFoldedForm(network);
        try
        {
            folded.InputNormalization = network.InputNormalization;
            folded.to(network.Classifier.weight.device);
            CopyFoldedWeights(network, folded);
            ConvolutionKernels.Prepare(folded);
        }
        catch
        {
            folded.Dispose();
            throw;
        }

        foreach (var parameter in folded.parameters())
        {
            parameter.requires_grad_(false);
        }

        folded.eval();
        return folded;
    }

    /// <summary>The folded weight and bias of a conv followed by <paramref name="batchNorm"/> (computed in double).</summary>
    public static (Tensor Weight, Tensor Bias) FoldedWeights(Tensor convWeight, Tensor? convBias, BatchNorm2d batchNorm)
    {
        using var scope = NewDisposeScope();
        var mean = batchNorm.running_mean ?? throw new InvalidOperationException("A BatchNorm without running statistics cannot be folded.");
        var variance = batchNorm.running_var!;
        var gamma = batchNorm.weight?.detach() ?? ones_like(mean);
        var beta = batchNorm.bias?.detach() ?? zeros_like(mean);
        var scale = gamma.to(ScalarType.Float64) * variance.to(ScalarType.Float64).Plus(batchNorm.eps).rsqrt();
        var shift = convBias is null ? -mean.to(ScalarType.Float64) : convBias.detach().to(ScalarType.Float64) - mean.to(ScalarType.Float64);
        var weight = (convWeight.detach().to(ScalarType.Float64) * scale.view(-1, 1, 1, 1)).to(convWeight.dtype);
        var bias = beta.to(ScalarType.Float64).Plus(shift * scale).to(convWeight.dtype);
        return (weight.MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope());
    }

    // Building modules draws their default initialisation from the global RNG; CreateForCopy restores it so that folding
    // a network (say, before scoring in the middle of an experiment) does not change what a seeded run draws next.
    private static CnnNetwork CreateFoldedForm(CnnNetwork network) =>
        CnnZoo.CreateForCopy(network.Architecture, network.InputShape, network.ClassCount, network.Widths, foldBatchNorm: true);

    private static void CopyFoldedWeights(CnnNetwork network, CnnNetwork folded)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var written = new HashSet<string>(StringComparer.Ordinal);
        bool pointwiseNchw = ConvolutionKernels.Mode == ConvolutionKernelMode.ChannelsLast;
        foreach (var layer in network.ConvLayers)
        {
            var source = network.GetConv(layer);
            var target = folded.GetConv(layer);
            var (weight, bias) = FoldedWeights(source.weight, source.bias, network.GetBatchNorm(layer));
            // Channels-last weights, except 1x1 ones in safe mode (oneDNN's channels-last 1x1 kernels are what fails there).
            bool keepNchw = pointwiseNchw && CnnNetwork.IsPointwise(target);
            var replaced = target.weight;
            target.weight = new Parameter(keepNchw ? weight.contiguous() : ChannelsLast.From(weight), requires_grad: false);
            replaced?.Dispose();
            target.bias!.copy_(bias);
            written.UnionWith([$"{layer.Name}.weight", $"{layer.Name}.bias"]);
        }

        folded.Classifier.weight.copy_(network.Classifier.weight);
        folded.Classifier.bias!.copy_(network.Classifier.bias!);
        written.UnionWith([$"{folded.ClassifierName}.weight", $"{folded.ClassifierName}.bias"]);

        // A module that neither a conv layer nor the classifier covers would keep random weights: refuse instead.
        var missed = folded.state_dict().Keys.Where(k => !written.Contains(k)).ToList();
        if (missed.Count > 0)
        {
            throw new InvalidOperationException($"Folding {network.Architecture} left state entries without weights: {string.Join(", ", missed)}.");
        }
    }
}
