using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// GReg's CIFAR VGG with BatchNorm: bias-free 3x3 convs each followed by BN and ReLU, max-pools between the conv
/// groups but not after the last one (so the last group runs at 2x2 for 32x32 input), global average pooling and a
/// single Linear(last width → classes). Convs are layers 0..n-1, the classifier is layer n (16 for VGG-19).
/// A max-pool that would shrink a side below 1 pixel (tiny inputs) is replaced by an identity.
/// </summary>
internal sealed class CifarVgg : CnnNetwork
{
    private const int Pool = 0;

    private readonly Sequential features;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear classifier;

    // The modules of features in order, run one by one by their type (registered inside features, not here).
    private readonly nn.Module[] layers;

    /// <summary>Builds VGG-11/13/16/19 with the given conv widths (one per conv, in order); with <paramref name="foldBatchNorm"/> true, the eval-only form of <see cref="CnnNetwork.ForInference"/> (convs with bias, no BatchNorm).</summary>
    public CifarVgg(CnnArchitecture architecture, ImageShape inputShape, int classCount, IReadOnlyList<int> widths, bool foldBatchNorm = false)
        : base(architecture.ToString(), architecture, inputShape, classCount, widths, DefaultWidths(architecture).Length, foldBatchNorm)
    {
        var table = new ConvLayerTable();
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var convs = new List<ConvLayerInfo>();
        int inChannels = inputShape.Channels, height = inputShape.Height, width = inputShape.Width;
        int group = 1, position = 1, conv = 0;

        // Module names are positions in the trainable layout (conv, BN, ReLU, ..., pool); the folded form leaves out
        // the BNs but keeps the names, so both forms name their convs alike.
        int index = 0;
        foreach (int entry in Configuration(architecture))
        {
            if (entry == Pool)
            {
                bool canPool = height >= 2 && width >= 2;
                modules.Add(((index++).ToString(), canPool ? Factory.MaxPool2x2() : nn.Identity()));
                (height, width) = canPool ? (height / 2, width / 2) : (height, width);
                (group, position) = (group + 1, 1);
                continue;
            }

            int outChannels = widths[conv++];
            string convName = (index++).ToString(), bnName = (index++).ToString();
            modules.Add((convName, Factory.Conv(inChannels, outChannels, kernelSize: 3, padding: 1)));
            if (Factory.BatchNorm(outChannels) is { } bn)
            {
                modules.Add((bnName, bn));
            }

            modules.Add(((index++).ToString(), nn.ReLU(inplace: true)));
            convs.Add(table.Add($"features.{convName}", $"features.{bnName}", group, block: 0, position++, outChannels, residualLocked: false));
            inChannels = outChannels;
        }

        features = nn.Sequential(modules);
        layers = [.. modules.Select(m => (nn.Module)m.Item2)];
        avgpool = nn.AdaptiveAvgPool2d(1);
        classifier = nn.Linear(inChannels, classCount);
        RegisterComponents();

        for (int i = 0; i < convs.Count - 1; i++)
        {
            table.SetConsumers(convs[i], [convs[i + 1]]);
        }

        table.SetConsumers(convs[^1], [], classifierFeaturesPerChannel: 1);
        CompleteStructure(table, classifier);
    }

    /// <inheritdoc />
    public override int ResidualStageCount => 0;

    /// <summary>Widths of the unpruned VGG (the conv entries of its configuration).</summary>
    public static int[] DefaultWidths(CnnArchitecture architecture) => [.. Configuration(architecture).Where(c => c != Pool)];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = PrepareInput(input);
        foreach (var layer in layers)
        {
            x = layer switch
            {
                Conv2d conv => LayerFactory.Convolve(conv, x),
                BatchNorm2d bn => LayerFactory.Normalize(bn, x),
                ReLU => x.relu_(),
                MaxPool2x2 pool => pool.call(x),
                Identity => x,
                _ => throw new InvalidOperationException($"{Architecture}: unexpected module {layer.GetType().Name} in features."),
            };
        }

        x = avgpool.call(x);
        return LayerFactory.Classify(classifier, x.flatten(1)).MoveToOuterDisposeScope();
    }

    // Conv widths with 0 marking a max-pool; no pool after the last group (GReg's CIFAR variant).
    private static int[] Configuration(CnnArchitecture architecture) => architecture switch
    {
        CnnArchitecture.Vgg11 => [64, Pool, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512],
        CnnArchitecture.Vgg13 => [64, 64, Pool, 128, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512],
        CnnArchitecture.Vgg16 => [64, 64, Pool, 128, 128, Pool, 256, 256, 256, Pool, 512, 512, 512, Pool, 512, 512, 512],
        CnnArchitecture.Vgg19 => [64, 64, Pool, 128, 128, Pool, 256, 256, 256, 256, Pool, 512, 512, 512, 512, Pool, 512, 512, 512, 512],
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Expected Vgg11, Vgg13, Vgg16 or Vgg19."),
    };
}
