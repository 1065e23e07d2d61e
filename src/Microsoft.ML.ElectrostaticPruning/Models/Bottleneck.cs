using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>torchvision's bottleneck block (v1.5, stride on the 3x3 conv): 1x1, 3x3, 1x1 convs with BatchNorm and a projection shortcut when needed.</summary>
internal sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    /// <summary>Builds a block reading <paramref name="inChannels"/> with the given conv widths.</summary>
    public Bottleneck(int inChannels, int width1, int width2, int outChannels, int stride)
        : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inChannels, width1, kernel_size: 1, bias: false);
        bn1 = nn.BatchNorm2d(width1);
        conv2 = nn.Conv2d(width1, width2, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(width2);
        conv3 = nn.Conv2d(width2, outChannels, kernel_size: 1, bias: false);
        bn3 = nn.BatchNorm2d(outChannels);
        downsample = BasicBlock.NeedsDownsample(inChannels, outChannels, stride) ? BasicBlock.Downsample(inChannels, outChannels, stride) : null;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(bn1.call(conv1.call(input)));
        x = nn.functional.relu(bn2.call(conv2.call(x)));
        x = bn3.call(conv3.call(x));
        return x.add_(downsample is null ? input : downsample.call(input)).relu_();
    }
}
