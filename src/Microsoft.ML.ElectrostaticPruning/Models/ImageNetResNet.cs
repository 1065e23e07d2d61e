using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// torchvision's ImageNet ResNet-18/34 (basic blocks) and ResNet-50 (bottlenecks): 7x7 stride-2 stem + BN + ReLU +
/// 3x3 stride-2 max-pool, four stages (64/128/256/512 planes), adaptive average pooling, <c>fc</c>.
/// Layer indices: stem 0, block convs in order (downsample convs share the index of the conv before them), fc last.
/// The last conv of every block and the downsample convs are residual-locked; so is the stem of ResNet-18/34,
/// whose output feeds layer1's identity shortcuts (ResNet-50's stem feeds a projection, so it can be pruned).
/// </summary>
internal sealed class ImageNetResNet : CnnNetwork
{
    private static readonly int[] Planes = [64, 128, 256, 512];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear fc;

    // The blocks of layer1..4 in order, run one by one (registered inside the stages' Sequentials, not here).
    private readonly ResidualBlock[] residualBlocks;

    /// <summary>Builds the network with the given widths (stem, then each block's convs in order); with <paramref name="foldBatchNorm"/> true, the eval-only form of <see cref="CnnNetwork.ForInference"/> (convs with bias, no BatchNorm).</summary>
    public ImageNetResNet(CnnArchitecture architecture, ImageShape inputShape, int classCount, IReadOnlyList<int> widths, bool foldBatchNorm = false)
        : base(architecture.ToString(), architecture, inputShape, classCount, widths, DefaultWidths(architecture).Length, foldBatchNorm)
    {
        var (blocks, bottleneck) = Layout(architecture);
        int convsPerBlock = bottleneck ? 3 : 2;
        var table = new ConvLayerTable();
        conv1 = Factory.Conv(inputShape.Channels, widths[0], kernelSize: 7, stride: 2, padding: 3);
        bn1 = Factory.BatchNorm(widths[0]);
        maxpool = nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        bool stemFeedsIdentity = !BasicBlock.NeedsDownsample(widths[0], widths[convsPerBlock], stride: 1);
        var stem = table.Add("conv1", "bn1", stage: 0, block: 0, position: 1, widths[0], residualLocked: stemFeedsIdentity);

        int next = 1, inChannels = widths[0];
        var stages = new Sequential[Planes.Length];
        var allBlocks = new List<ResidualBlock>();
        for (int stage = 1; stage <= Planes.Length; stage++)
        {
            var stageBlocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int block = 0; block < blocks[stage - 1]; block++)
            {
                int stride = stage > 1 && block == 0 ? 2 : 1;
                int[] w = [.. widths.Skip(next).Take(convsPerBlock)];
                next += convsPerBlock;
                int output = w[^1];
                ResidualBlock residual = bottleneck
                    ? new Bottleneck(inChannels, w[0], w[1], output, stride, Factory)
                    : new BasicBlock(inChannels, w[0], output, stride, Factory);
                stageBlocks.Add((block.ToString(), residual));
                allBlocks.Add(residual);

                string prefix = $"layer{stage}.{block}";
                var convs = new ConvLayerInfo[convsPerBlock];
                for (int p = 0; p < convsPerBlock; p++)
                {
                    convs[p] = table.Add($"{prefix}.conv{p + 1}", $"{prefix}.bn{p + 1}", stage, block, p + 1, w[p], residualLocked: p == convsPerBlock - 1);
                }

                for (int p = 0; p < convsPerBlock - 1; p++)
                {
                    table.SetConsumers(convs[p], [convs[p + 1]]);
                }

                if (BasicBlock.NeedsDownsample(inChannels, output, stride))
                {
                    var shortcut = table.AddShortcut($"{prefix}.downsample.0", $"{prefix}.downsample.1", stage, block, output);
                    if (stage == 1 && block == 0)
                    {
                        table.SetConsumers(stem, [convs[0], shortcut]);
                    }
                }

                inChannels = output;
            }

            stages[stage - 1] = nn.Sequential(stageBlocks);
        }

        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        residualBlocks = [.. allBlocks];
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(inChannels, classCount);
        RegisterComponents();
        CompleteStructure(table, fc);
    }

    /// <inheritdoc />
    public override int ResidualStageCount => Planes.Length;

    /// <summary>Widths of the unpruned network: 64, then per block (p, p) for basic blocks or (p, p, 4p) for bottlenecks.</summary>
    public static int[] DefaultWidths(CnnArchitecture architecture)
    {
        var (blocks, bottleneck) = Layout(architecture);
        var widths = new List<int> { 64 };
        for (int stage = 0; stage < Planes.Length; stage++)
        {
            int p = Planes[stage];
            for (int block = 0; block < blocks[stage]; block++)
            {
                widths.AddRange(bottleneck ? [p, p, 4 * p] : [p, p]);
            }
        }

        return [.. widths];
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(LayerFactory.Normalize(bn1, LayerFactory.Convolve(conv1, PrepareInput(input))).relu_());
        x = ResidualBlock.Run(residualBlocks, x);
        return LayerFactory.Classify(fc, avgpool.call(x).flatten(1)).MoveToOuterDisposeScope();
    }

    private static (int[] Blocks, bool Bottleneck) Layout(CnnArchitecture architecture) => architecture switch
    {
        CnnArchitecture.ResNet18 => ([2, 2, 2, 2], false),
        CnnArchitecture.ResNet34 => ([3, 4, 6, 3], false),
        CnnArchitecture.ResNet50 => ([3, 4, 6, 3], true),
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Expected an ImageNet ResNet: ResNet18, ResNet34 or ResNet50."),
    };
}
