using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Models;

public sealed class CnnZooTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);
    private static readonly ImageShape Mnist = new(1, 28, 28);

    public static TheoryData<CnnArchitecture> AllArchitectures => [.. Enum.GetValues<CnnArchitecture>()];

    [Theory]
    [InlineData(CnnArchitecture.ResNet56, 10, 848_954L)]
    [InlineData(CnnArchitecture.ResNet20, 10, 268_346L)]
    [InlineData(CnnArchitecture.Vgg19, 100, 20_070_180L)]
    [InlineData(CnnArchitecture.SmallCnn, 10, 50_090L)]
    public void CifarAndMnistModelsHaveTheHandCountedParameters(CnnArchitecture architecture, int classes, long expected)
    {
        var shape = architecture == CnnArchitecture.SmallCnn ? Mnist : Cifar;
        using var network = CnnZoo.Create(architecture, shape, classes);

        Assert.Equal(expected, ComplexityCounter.Measure(network).Parameters);
    }

    [Fact]
    public void ResNet56OnCifar10MatchesTheNotes()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet56, Cifar, 10);

        var complexity = ComplexityCounter.Measure(network);

        Assert.Equal(0.8490, Math.Round(complexity.MegaParameters, 4));
        Assert.Equal(0.2510, Math.Round(complexity.GigaFlops, 4));
    }

    [Fact]
    public void Vgg19OnCifar100MatchesTheNotesExactly()
    {
        using var network = CnnZoo.Create(CnnArchitecture.Vgg19, Cifar, 100);

        var complexity = ComplexityCounter.Measure(network);

        // Hand count: convs at 32/16/8/4/2 pixels plus Linear(512, 100) = 398,182,400 MACs.
        Assert.Equal(398_182_400L, complexity.MultiplyAccumulates);
        Assert.Equal(20.0702, Math.Round(complexity.MegaParameters, 4));
        Assert.Equal(0.7964, Math.Round(complexity.GigaFlops, 4));
    }

    [Fact]
    public void ResNet34OnImageNetMatchesTheNotes()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet34, new ImageShape(3, 224, 224), 1000);

        var complexity = ComplexityCounter.Measure(network);

        Assert.Equal(21.7806, Math.Round(complexity.MegaParameters, 4));
        Assert.Equal(3.6638, Math.Round(complexity.GigaMacs, 4));
    }

    [Theory]
    [InlineData(CnnArchitecture.ResNet18, 11_689_512L, 11_679_912L)]
    [InlineData(CnnArchitecture.ResNet50, 25_557_032L, 25_503_912L)]
    public void ImageNetResNetsHaveTorchvisionsParameterCounts(CnnArchitecture architecture, long withBatchNorm, long convAndLinearOnly)
    {
        using var network = CnnZoo.Create(architecture, new ImageShape(3, 64, 64), 1000);

        long all = network.parameters().Sum(p => p.numel());

        Assert.Equal(withBatchNorm, all);
        Assert.Equal(convAndLinearOnly, ComplexityCounter.Measure(network).Parameters);
    }

    [Theory]
    [MemberData(nameof(AllArchitectures))]
    public void EveryModelMapsMnistAndCifarBatchesToClassScores(CnnArchitecture architecture)
    {
        using var scope = NewDisposeScope();
        using var mnistNet = CnnZoo.Create(architecture, Mnist, 10);
        using var cifarNet = CnnZoo.Create(architecture, Cifar, 7);
        mnistNet.eval();
        cifarNet.eval();
        using var noGrad = no_grad();

        Assert.Equal(new long[] { 2, 10 }, mnistNet.call(randn(2, 1, 28, 28)).shape);
        Assert.Equal(new long[] { 2, 7 }, cifarNet.call(randn(2, 3, 32, 32)).shape);
    }

    [Fact]
    public void ResNet18RunsAtImageNetResolution()
    {
        using var scope = NewDisposeScope();
        using var network = CnnZoo.Create(CnnArchitecture.ResNet18, new ImageShape(3, 224, 224), 1000);
        network.eval();
        using var noGrad = no_grad();

        Assert.Equal(new long[] { 1, 1000 }, network.call(randn(1, 3, 224, 224)).shape);
    }

    [Fact]
    public void VggSkipsPoolingThatWouldShrinkBelowOnePixel()
    {
        using var scope = NewDisposeScope();
        using var network = CnnZoo.Create(CnnArchitecture.Vgg19, new ImageShape(1, 6, 6), 3);
        network.eval();
        using var noGrad = no_grad();

        // 6 -> 3 -> 1 and then two pools that must be skipped.
        Assert.Equal(new long[] { 2, 3 }, network.call(randn(2, 1, 6, 6)).shape);
        Assert.Equal(2, network.named_modules().Count(m => m.module is MaxPool2x2));
    }

    [Fact]
    public void ResNet56DescribesItsPrunableStructure()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet56, Cifar, 10);

        Assert.Equal(55, network.ConvLayers.Count);
        Assert.Equal(Enumerable.Range(0, 55), network.ConvLayers.Select(l => l.LayerIndex));
        Assert.Equal(55, network.ClassifierLayerIndex);
        Assert.Equal(5, network.StageListLength);
        Assert.Equal(27, network.ConvLayers.Count(l => l.IsPrunable));
        Assert.True(network.ConvLayers[0].IsResidualLocked);

        var layer = network.GetLayer(19);
        Assert.Equal(new ConvLayerInfo(19, "layer2.0.conv1", 2, 0, 1, false, false, 32), layer);
        Assert.Equal("layer2.0.conv2", Assert.Single(network.GetConsumers(layer).Convs).Name);
        Assert.Equal("layer2.0.bn1", network.GetBatchNormName(layer));
        Assert.Same(network.GetConv(layer), network.named_modules().Single(m => m.name == "layer2.0.conv1").module);
        Assert.Throws<InvalidOperationException>(() => network.GetConsumers(network.GetLayer(20)));
    }

    [Fact]
    public void ResNet50ShortcutsShareTheIndexOfTheBlocksLastConvAndTheStemFeedsTheFirstProjection()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet50, new ImageShape(3, 64, 64), 1000);

        var shortcuts = network.ConvLayers.Where(l => l.IsShortcut).ToList();
        Assert.Equal(["layer1.0.downsample.0", "layer2.0.downsample.0", "layer3.0.downsample.0", "layer4.0.downsample.0"], shortcuts.Select(s => s.Name));
        Assert.Equal(3, shortcuts[0].LayerIndex);
        Assert.Equal("layer1.0.conv3", network.GetLayer(3).Name);
        Assert.Equal(49, network.ClassifierLayerIndex);

        var stem = network.GetLayer(0);
        Assert.True(stem.IsPrunable);
        Assert.Equal(["layer1.0.conv1", "layer1.0.downsample.0"], network.GetConsumers(stem).Convs.Select(c => c.Name));
        Assert.Contains("layer1.0.downsample.1.running_var", network.state_dict().Keys);
    }

    [Fact]
    public void ResNet18StemIsResidualLockedBecauseItFeedsIdentityShortcuts()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet18, new ImageShape(3, 64, 64), 10);

        Assert.True(network.GetLayer(0).IsResidualLocked);
        Assert.Equal(3, network.ConvLayers.Count(l => l.IsShortcut));
        Assert.Equal(6, network.StageListLength);
        Assert.Equal(8, network.ConvLayers.Count(l => l.IsPrunable));
    }

    [Fact]
    public void ClassifierReadsFeaturesPerChannelAfterTheLastConv()
    {
        using var small = CnnZoo.Create(CnnArchitecture.SmallCnn, Mnist, 10);
        using var vgg = CnnZoo.Create(CnnArchitecture.Vgg11, Cifar, 10);

        Assert.Equal(49, small.GetConsumers(small.GetLayer(1)).ClassifierFeaturesPerChannel);
        Assert.Equal(1, vgg.GetConsumers(vgg.GetLayer(7)).ClassifierFeaturesPerChannel);
        Assert.Equal(8, vgg.ClassifierLayerIndex);
        Assert.Equal("classifier", vgg.ClassifierName);
    }

    [Fact]
    public void ANetworkBuiltFromNarrowerWidthsHasThoseChannels()
    {
        int[] widths = [.. CnnZoo.DefaultWidths(CnnArchitecture.Vgg11)];
        widths[3] = 100;
        using var network = CnnZoo.Create(CnnArchitecture.Vgg11, Cifar, 10, widths);

        Assert.Equal(100, network.GetConv(network.GetLayer(3)).out_channels);
        Assert.Equal(100, network.GetConv(network.GetLayer(4)).in_channels);
        Assert.Equal(100, network.ConvLayers[3].OutChannels);
    }

    [Fact]
    public void AWrongWidthCountIsRejectedWithTheExpectedCount()
    {
        var error = Assert.Throws<ArgumentException>(() => CnnZoo.Create(CnnArchitecture.ResNet20, Cifar, 10, [16, 16]));

        Assert.Contains("ResNet20 has 19 indexed convs, so it needs 19 widths, but 2 were given", error.Message);
    }

    [Fact]
    public void AnInputOfTheWrongShapeFailsWithTheExpectedShape()
    {
        using var scope = NewDisposeScope();
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, Mnist, 10);

        var error = Assert.Throws<ArgumentException>(() => network.call(zeros(2, 3, 32, 32)));

        Assert.Contains("N x 1x28x28", error.Message);
        Assert.Contains("[2, 3, 32, 32]", error.Message);
    }
}
