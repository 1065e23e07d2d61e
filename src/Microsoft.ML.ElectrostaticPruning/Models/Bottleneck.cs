using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>torchvision's bottleneck block (v1.5, stride on the 3x3 conv): 1x1, 3x3, 1x1 convs with BatchNorm and a projection shortcut when needed.</summary>
internal sealed class Bottleneck : ResidualBlock
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d? bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d? bn3;
    private readonly Sequential? downsample;
    private readonly BasicBlock.Shortcut? shortcut;

    /// <summary>Builds a block reading <paramref name="inChannels"/> with the given conv widths, trainable or folded as <paramref name="factory"/> says.</summary>
    public Bottleneck(int inChannels, int width1, int width2, int outChannels, int stride, LayerFactory factory)
        : base(nameof(Bottleneck))
    {
        conv1 = factory.Conv(inChannels, width1, kernelSize: 1);
        bn1 = factory.BatchNorm(width1);
        conv2 = factory.Conv(width1, width2, kernelSize: 3, stride: stride, padding: 1);
        bn2 = factory.BatchNorm(width2);
        conv3 = factory.Conv(width2, outChannels, kernelSize: 1);
        bn3 = factory.BatchNorm(outChannels);
        (downsample, shortcut) = BasicBlock.NeedsDownsample(inChannels, outChannels, stride) ? BasicBlock.Downsample(inChannels, outChannels, stride, factory) : (null, null);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = LayerFactory.Normalize(bn1, LayerFactory.Convolve(conv1, input)).relu_();
        x = LayerFactory.Normalize(bn2, LayerFactory.Convolve(conv2, x)).relu_();
        x = LayerFactory.Normalize(bn3, LayerFactory.Convolve(conv3, x));
        return x.add_(shortcut is { } s ? s.Forward(input) : input, CachedScalars.One).relu_();
    }
}
