using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// He et al.'s CIFAR ResNet (depth 6n+2): a 3x3 stem conv, three stages of n basic blocks with widths 16/32/64
/// (stride 2 at the start of stages 2 and 3, option-A shortcuts), global average pooling and a Linear classifier.
/// Layer indices: stem 0, block convs 1..6n, classifier 6n+1. Stem and each block's conv2 are residual-locked.
/// </summary>
internal sealed class CifarResNet : CnnNetwork
{
    private static readonly int[] StageWidths = [16, 32, 64];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear linear;

    // The blocks of layer1..3 in order, run one by one (registered inside the stages' Sequentials, not here).
    private readonly ResidualBlock[] residualBlocks;

    /// <summary>Builds ResNet-20/32/44/56/110 with the given widths (stem, then conv1 and conv2 of every block); with <paramref name="foldBatchNorm"/> true, the eval-only form of <see cref="CnnNetwork.ForInference"/> (convs with bias, no BatchNorm).</summary>
    public CifarResNet(CnnArchitecture architecture, ImageShape inputShape, int classCount, IReadOnlyList<int> widths, bool foldBatchNorm = false)
        : base(architecture.ToString(), architecture, inputShape, classCount, widths, DefaultWidths(architecture).Length, foldBatchNorm)
    {
        int blocks = BlocksPerStage(architecture);
        var table = new ConvLayerTable();
        conv1 = Factory.Conv(inputShape.Channels, widths[0], kernelSize: 3, padding: 1);
        bn1 = Factory.BatchNorm(widths[0]);
        table.Add("conv1", "bn1", stage: 0, block: 0, position: 1, widths[0], residualLocked: true);

        int next = 1, inChannels = widths[0];
        var stages = new Sequential[StageWidths.Length];
        var allBlocks = new List<ResidualBlock>();
        for (int stage = 1; stage <= StageWidths.Length; stage++)
        {
            var stageBlocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int block = 0; block < blocks; block++)
            {
                int mid = widths[next++], output = widths[next++];
                int stride = stage > 1 && block == 0 ? 2 : 1;
                var residual = new OptionABasicBlock(inChannels, mid, output, stride, Factory);
                stageBlocks.Add((block.ToString(), residual));
                allBlocks.Add(residual);
                string prefix = $"layer{stage}.{block}";
                var first = table.Add($"{prefix}.conv1", $"{prefix}.bn1", stage, block, position: 1, mid, residualLocked: false);
                var second = table.Add($"{prefix}.conv2", $"{prefix}.bn2", stage, block, position: 2, output, residualLocked: true);
                table.SetConsumers(first, [second]);
                inChannels = output;
            }

            stages[stage - 1] = nn.Sequential(stageBlocks);
        }

        (layer1, layer2, layer3) = (stages[0], stages[1], stages[2]);
        residualBlocks = [.. allBlocks];
        avgpool = nn.AdaptiveAvgPool2d(1);
        linear = nn.Linear(inChannels, classCount);
        RegisterComponents();
        CompleteStructure(table, linear);
    }

    /// <inheritdoc />
    public override int ResidualStageCount => StageWidths.Length;

    /// <summary>Widths of the unpruned network: 16, then (16, 16) n times, (32, 32) n times, (64, 64) n times.</summary>
    public static int[] DefaultWidths(CnnArchitecture architecture)
    {
        int blocks = BlocksPerStage(architecture);
        return [StageWidths[0], .. StageWidths.SelectMany(w => Enumerable.Repeat(w, 2 * blocks))];
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = LayerFactory.Normalize(bn1, LayerFactory.Convolve(conv1, PrepareInput(input))).relu_();
        x = ResidualBlock.Run(residualBlocks, x);
        return LayerFactory.Classify(linear, avgpool.call(x).flatten(1)).MoveToOuterDisposeScope();
    }

    private static int BlocksPerStage(CnnArchitecture architecture) => architecture switch
    {
        CnnArchitecture.ResNet20 => 3,
        CnnArchitecture.ResNet32 => 5,
        CnnArchitecture.ResNet44 => 7,
        CnnArchitecture.ResNet56 => 9,
        CnnArchitecture.ResNet110 => 18,
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Expected a CIFAR ResNet: ResNet20, ResNet32, ResNet44, ResNet56 or ResNet110."),
    };
}
