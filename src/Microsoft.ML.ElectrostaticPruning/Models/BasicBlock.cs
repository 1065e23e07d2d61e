using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>torchvision's basic block: two 3x3 convs with BatchNorm, and a 1x1 conv + BN downsample when the stride or width changes.</summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>Builds a block reading <paramref name="inChannels"/> with the given conv widths.</summary>
    public BasicBlock(int inChannels, int midChannels, int outChannels, int stride)
        : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inChannels, midChannels, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(midChannels);
        conv2 = nn.Conv2d(midChannels, outChannels, kernel_size: 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        downsample = NeedsDownsample(inChannels, outChannels, stride) ? Downsample(inChannels, outChannels, stride) : null;
        RegisterComponents();
    }

    /// <summary>torchvision's rule: a projection shortcut when the stride is not 1 or the width changes.</summary>
    public static bool NeedsDownsample(int inChannels, int outChannels, int stride) => stride != 1 || inChannels != outChannels;

    /// <summary>The 1x1 conv + BatchNorm projection shortcut, named "0" and "1" as in torchvision.</summary>
    public static Sequential Downsample(int inChannels, int outChannels, int stride) =>
        nn.Sequential(("0", nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false)), ("1", nn.BatchNorm2d(outChannels)));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        return x.add_(downsample is null ? input : downsample.call(input)).relu_();
    }
}
