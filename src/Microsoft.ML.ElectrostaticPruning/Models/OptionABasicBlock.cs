using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// He et al.'s CIFAR basic block with the parameter-free "option A" shortcut: when the stride or the width changes,
/// the input is subsampled (<c>x[:, :, ::s, ::s]</c>) and zero-padded with (out - in) channels split evenly before
/// and after, as in the widely used akamaster implementation that GReg builds on.
/// </summary>
internal sealed class OptionABasicBlock : ResidualBlock
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d? bn2;
    private readonly int stride;
    private readonly long padBefore;
    private readonly long padAfter;

    /// <summary>
    /// Builds a block reading <paramref name="inChannels"/>, with <paramref name="midChannels"/> filters in conv1 and
    /// <paramref name="outChannels"/> in conv2, trainable or folded as <paramref name="factory"/> says.
    /// </summary>
    public OptionABasicBlock(int inChannels, int midChannels, int outChannels, int stride, LayerFactory factory)
        : base(nameof(OptionABasicBlock))
    {
        if (outChannels < inChannels)
        {
            throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"An option-A shortcut can only zero-pad channels: the block's output width must be at least its input width {inChannels}.");
        }

        conv1 = factory.Conv(inChannels, midChannels, kernelSize: 3, stride: stride, padding: 1);
        bn1 = factory.BatchNorm(midChannels);
        conv2 = factory.Conv(midChannels, outChannels, kernelSize: 3, padding: 1);
        bn2 = factory.BatchNorm(outChannels);
        this.stride = stride;
        padBefore = (outChannels - inChannels) / 2;
        padAfter = outChannels - inChannels - padBefore;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = LayerFactory.Normalize(bn1, LayerFactory.Convolve(conv1, input)).relu_();
        x = LayerFactory.Normalize(bn2, LayerFactory.Convolve(conv2, x));
        return x.add_(Shortcut(input), CachedScalars.One).relu_();
    }

    private Tensor Shortcut(Tensor input)
    {
        if (stride == 1 && padBefore == 0 && padAfter == 0)
        {
            return input;
        }

        var subsampled = stride == 1 ? input : input[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
        if (padBefore == 0 && padAfter == 0)
        {
            return subsampled;
        }

        var padded = nn.functional.pad(subsampled, [0, 0, 0, 0, padBefore, padAfter]);

        // pad returns NCHW-contiguous memory; keep a channels-last (NHWC-strided) input channels-last so that the
        // residual sum and the next convolutions do not switch memory layout.
        return ChannelsLast.Is(input) ? ChannelsLast.From(padded) : padded;
    }
}
