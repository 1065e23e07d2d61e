using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// A small CNN for MNIST-class data: conv 3x3 (C→32)-BN-ReLU-maxpool 2, conv 3x3 (32→64)-BN-ReLU-maxpool 2, flatten,
/// Linear(64·⌊H/4⌋·⌊W/4⌋ → classes). Layers 0 (conv1), 1 (conv2), 2 (fc). About 50k parameters at 1x28x28.
/// The flatten keeps spatial detail, so it trains to roughly 85-90 % on Fashion-MNIST within a couple of epochs, and
/// pruning conv2 removes whole 7x7 feature groups from the classifier, which gives a meaningful pruning curve.
/// </summary>
internal sealed class SmallCnn : CnnNetwork
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d? bn2;
    private readonly MaxPool2x2 pool;
    private readonly Linear fc;

    /// <summary>Builds the network with the given conv widths (2 entries); with <paramref name="foldBatchNorm"/> true, the eval-only form of <see cref="CnnNetwork.ForInference"/> (convs with bias, no BatchNorm).</summary>
    public SmallCnn(ImageShape inputShape, int classCount, IReadOnlyList<int> widths, bool foldBatchNorm = false)
        : base(nameof(SmallCnn), CnnArchitecture.SmallCnn, inputShape, classCount, widths, DefaultWidths.Length, foldBatchNorm)
    {
        if (inputShape.Height < 4 || inputShape.Width < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(inputShape), inputShape, "SmallCnn pools twice by 2, so height and width must be at least 4.");
        }

        int spatial = (inputShape.Height / 4) * (inputShape.Width / 4);
        conv1 = Factory.Conv(inputShape.Channels, widths[0], kernelSize: 3, padding: 1);
        bn1 = Factory.BatchNorm(widths[0]);
        conv2 = Factory.Conv(widths[0], widths[1], kernelSize: 3, padding: 1);
        bn2 = Factory.BatchNorm(widths[1]);
        pool = Factory.MaxPool2x2();
        fc = nn.Linear(widths[1] * spatial, classCount);
        RegisterComponents();

        var table = new ConvLayerTable();
        var first = table.Add("conv1", "bn1", stage: 1, block: 0, position: 1, widths[0], residualLocked: false);
        var second = table.Add("conv2", "bn2", stage: 2, block: 0, position: 1, widths[1], residualLocked: false);
        table.SetConsumers(first, [second]);
        table.SetConsumers(second, [], classifierFeaturesPerChannel: spatial);
        CompleteStructure(table, fc);
    }

    /// <summary>Widths of the unpruned network.</summary>
    public static int[] DefaultWidths => [32, 64];

    /// <inheritdoc />
    public override int ResidualStageCount => 0;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool.call(LayerFactory.Normalize(bn1, LayerFactory.Convolve(conv1, PrepareInput(input))).relu_());
        x = pool.call(LayerFactory.Normalize(bn2, LayerFactory.Convolve(conv2, x)).relu_());
        return LayerFactory.Classify(fc, x.flatten(1)).MoveToOuterDisposeScope();
    }
}
