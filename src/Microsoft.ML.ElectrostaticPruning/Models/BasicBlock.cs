using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>torchvision's basic block: two 3x3 convs with BatchNorm, and a 1x1 conv + BN downsample when the stride or width changes.</summary>
internal sealed class BasicBlock : ResidualBlock
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d? bn2;
    private readonly Sequential? downsample;

    // The downsample's conv and BatchNorm, run directly (not registered: they are registered inside downsample).
    private readonly Shortcut? shortcut;

    /// <summary>Builds a block reading <paramref name="inChannels"/> with the given conv widths, trainable or folded as <paramref name="factory"/> says.</summary>
    public BasicBlock(int inChannels, int midChannels, int outChannels, int stride, LayerFactory factory)
        : base(nameof(BasicBlock))
    {
        conv1 = factory.Conv(inChannels, midChannels, kernelSize: 3, stride: stride, padding: 1);
        bn1 = factory.BatchNorm(midChannels);
        conv2 = factory.Conv(midChannels, outChannels, kernelSize: 3, padding: 1);
        bn2 = factory.BatchNorm(outChannels);
        (downsample, shortcut) = NeedsDownsample(inChannels, outChannels, stride) ? Downsample(inChannels, outChannels, stride, factory) : (null, null);
        RegisterComponents();
    }

    /// <summary>torchvision's rule: a projection shortcut when the stride is not 1 or the width changes.</summary>
    public static bool NeedsDownsample(int inChannels, int outChannels, int stride) => stride != 1 || inChannels != outChannels;

    /// <summary>
    /// The 1x1 conv + BatchNorm projection shortcut, as a <c>Sequential</c> named "0" and "1" as in torchvision (only "0"
    /// when folded) for the state-dict names, and as the two modules that the block's forward runs.
    /// </summary>
    public static (Sequential Downsample, Shortcut Shortcut) Downsample(int inChannels, int outChannels, int stride, LayerFactory factory)
    {
        var conv = factory.Conv(inChannels, outChannels, kernelSize: 1, stride: stride);
        var bn = factory.BatchNorm(outChannels);
        return (bn is null ? nn.Sequential(("0", conv)) : nn.Sequential(("0", conv), ("1", bn)), new Shortcut(conv, bn));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = LayerFactory.Normalize(bn1, LayerFactory.Convolve(conv1, input)).relu_();
        x = LayerFactory.Normalize(bn2, LayerFactory.Convolve(conv2, x));
        return x.add_(shortcut is { } s ? s.Forward(input) : input, CachedScalars.One).relu_();
    }

    /// <summary>The downsample's modules.</summary>
    /// <param name="Conv">The 1x1 conv ("downsample.0").</param>
    /// <param name="BatchNorm">Its BatchNorm ("downsample.1"); null in the folded form.</param>
    internal sealed record Shortcut(Conv2d Conv, BatchNorm2d? BatchNorm)
    {
        /// <summary>BatchNorm(conv(x)).</summary>
        public Tensor Forward(Tensor input) => LayerFactory.Normalize(BatchNorm, LayerFactory.Convolve(Conv, input));
    }
}
