using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Tools;

/// <summary>The public network description: Table 2 without training, per-layer counts, argument checks.</summary>
public sealed class NetworkDescriptionTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);
    private static readonly ImageShape ImageNet = new(3, 224, 224);

    [Theory]
    [InlineData("[0, 0.52, 0.52, 0.52, 0]", 2.17)]
    [InlineData("[0, 0.6, 0.6, 0.6, 0]", 2.62)]
    [InlineData("[0, 0.62, 0.63, 0.62, 0]", 2.73)]
    public void ResNet56OnCifar10ReproducesTheTable2SpeedupAndTheDenseCost(string plan, double speedup)
    {
        var description = NetworkDescription.Describe(CnnArchitecture.ResNet56, Cifar, 10, PruningPlan.Parse(plan));

        Assert.Equal(speedup, Math.Round(description.Speedup!.Value, 2));
        Assert.Equal(0.8490, Math.Round(description.Dense.MegaParameters, 4));
        Assert.Equal(0.2510, Math.Round(description.Dense.GigaFlops, 4));
        Assert.Equal(description.Dense.Flops, 2 * description.Dense.MultiplyAccumulates);
        Assert.Equal((double)description.Dense.Flops / description.Pruned!.Flops, description.Speedup.Value);
    }

    [Theory]
    [InlineData("[0:0, 1-15:0.65]", 6.85)]
    [InlineData("[0:0, 1-15:0.70]", 8.89)]
    public void Vgg19OnCifar100ReproducesTheTable2SpeedupAndTheDenseCost(string plan, double speedup)
    {
        var description = NetworkDescription.Describe(CnnArchitecture.Vgg19, Cifar, 100, PruningPlan.Parse(plan));

        Assert.Equal(speedup, Math.Round(description.Speedup!.Value, 2));
        Assert.Equal(20.0702, Math.Round(description.Dense.MegaParameters, 4));
        Assert.Equal(0.7964, Math.Round(description.Dense.GigaFlops, 4));
        Assert.Equal(16, description.Layers.Count);
        Assert.Equal(64, description.Layers[0].KeptFilters);
    }

    [Fact]
    public void ResNet34OnImageNetReproduces134xWithTheSkipListAnd165xWithout()
    {
        var ratios = PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0, 0]");

        var skipped = NetworkDescription.Describe(CnnArchitecture.ResNet34, ImageNet, 1000, ratios.WithSkipList("1.0,2.0,2.3,3.0,3.5"));
        var all = NetworkDescription.Describe(CnnArchitecture.ResNet34, ImageNet, 1000, PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0, 0]"));

        Assert.Equal(1.34, Math.Round(skipped.Speedup!.Value, 2));
        Assert.Equal(1.65, Math.Round(all.Speedup!.Value, 2));
        Assert.Equal(21.7806, Math.Round(skipped.Dense.MegaParameters, 4));
        Assert.Equal(3.6638, Math.Round(skipped.Dense.GigaMacs, 4));
        var layer23 = skipped.Layers.Single(l => l.Name == "layer2.3.conv1");
        Assert.True(layer23.IsSkipped);
        Assert.Equal((0.0, 128, 128), (layer23.Ratio, layer23.Filters, layer23.KeptFilters));
        Assert.Equal(64, all.Layers.Single(l => l.Name == "layer2.3.conv1").KeptFilters);
    }

    [Theory]
    [InlineData(CnnArchitecture.ResNet56, "[0, 0.52, 0.52, 0.52, 0]")]
    [InlineData(CnnArchitecture.Vgg19, "[0:0, 1-15:0.65]")]
    [InlineData(CnnArchitecture.ResNet56, "[0, 0.6, 0.6, 0.6, 0] skip 2.3 round 8")]
    public void KeptFiltersPerLayerMatchTheFilterPruner(CnnArchitecture architecture, string planText)
    {
        var plan = PruningPlan.Parse(planText);
        var description = NetworkDescription.Describe(architecture, Cifar, 10, plan);
        using var dense = CnnZoo.Create(architecture, Cifar, 10);
        var result = FilterPruner.Prune(dense, plan);
        using var pruned = result.Network;

        Assert.Equal(result.Layers.Select(l => (l.Layer.LayerIndex, l.Layer.Name, l.OriginalFilters, l.KeptFilters, l.Ratio)),
            description.Layers.Select(l => (l.LayerIndex, l.Name, l.Filters, l.KeptFilters, l.Ratio)));
        Assert.Equal(result.Dense, description.Dense);
        Assert.Equal(result.Pruned, description.Pruned);
        Assert.All(description.Layers.Where(l => l.IsPruned && plan.ChannelMultiple == 1), l =>
            Assert.Equal(l.Filters - Math.Min((int)Math.Ceiling(l.Ratio * l.Filters), l.Filters - 1), l.KeptFilters));
    }

    [Fact]
    public void WithoutAPlanOnlyTheDenseNetworkIsDescribed()
    {
        var description = NetworkDescription.Describe(CnnArchitecture.ResNet56, Cifar, 10);

        Assert.Null(description.Plan);
        Assert.Null(description.Pruned);
        Assert.Null(description.Speedup);
        Assert.Null(description.CompressionRatio);
        Assert.Equal(0.8490, Math.Round(description.Dense.MegaParameters, 4));
        Assert.Equal(55, description.Layers.Count);
        Assert.All(description.Layers, l => Assert.Equal((l.Filters, 0.0, false, false), (l.KeptFilters, l.Ratio, l.IsPruned, l.IsSkipped)));
        Assert.Equal(27, description.Layers.Count(l => l.IsPrunable));
        Assert.DoesNotContain("pruned:", description.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ConvsThatCannotBePrunedSayWhy()
    {
        var description = NetworkDescription.Describe(CnnArchitecture.ResNet18, new ImageShape(3, 64, 64), 10, PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0.5, 0]"));

        var stem = description.Layers[0];
        var shortcut = description.Layers.Single(l => l.Name == "layer2.0.downsample.0");
        var last = description.Layers.Single(l => l.Name == "layer2.0.conv2");
        var first = description.Layers.Single(l => l.Name == "layer2.0.conv1");
        Assert.Equal((0, 0, 0), (stem.LayerIndex, stem.Stage, stem.Block));
        Assert.StartsWith("residual-locked", stem.NotPrunableReason, StringComparison.Ordinal);
        Assert.True(shortcut.IsShortcut);
        Assert.Equal((last.LayerIndex, 2, 0), (shortcut.LayerIndex, shortcut.Stage, shortcut.Block));
        Assert.Equal("shortcut conv", shortcut.NotPrunableReason);
        Assert.StartsWith("residual-locked", last.NotPrunableReason, StringComparison.Ordinal);
        Assert.False(stem.IsPrunable || last.IsPrunable || shortcut.IsPrunable);
        Assert.Equal((128, 128, 0.0), (last.Filters, last.KeptFilters, last.Ratio));
        Assert.True(first.IsPrunable);
        Assert.Null(first.NotPrunableReason);
        Assert.Equal((128, 64, 0.5), (first.Filters, first.KeptFilters, first.Ratio));
    }

    [Fact]
    public void ToStringIsATableWithLabelledUnits()
    {
        string text = NetworkDescription.Describe(CnnArchitecture.ResNet56, Cifar, 10, PruningPlan.Parse("[0, 0.52, 0.52, 0.52, 0]")).ToString();

        Assert.StartsWith("ResNet56 on 3x32x32 images, 10 classes; plan [0, 0.52, 0.52, 0.52, 0]", text, StringComparison.Ordinal);
        Assert.Contains("layer1.0.conv1", text, StringComparison.Ordinal);
        Assert.Contains("dense:  0.8490M params, 0.2510 GFLOPs (2xMAC), 0.1255 GMACs", text, StringComparison.Ordinal);
        Assert.Contains("speedup 2.17x (FLOPs)", text, StringComparison.Ordinal);
        Assert.Equal(2 + 55 + 3, text.Split('\n').Length);
    }

    [Fact]
    public void BadArgumentsAreRejectedNamingTheParameter()
    {
        Assert.Equal("architecture", Assert.Throws<ArgumentOutOfRangeException>(() => NetworkDescription.Describe((CnnArchitecture)99, Cifar, 10)).ParamName);
        Assert.Equal("imageShape", Assert.Throws<ArgumentOutOfRangeException>(() => NetworkDescription.Describe(CnnArchitecture.ResNet20, new ImageShape(3, 0, 32), 10)).ParamName);
        Assert.Equal("classCount", Assert.Throws<ArgumentOutOfRangeException>(() => NetworkDescription.Describe(CnnArchitecture.ResNet20, Cifar, 1)).ParamName);

        var wrongLength = Assert.Throws<ArgumentException>(() => NetworkDescription.Describe(CnnArchitecture.ResNet20, Cifar, 10, PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0, 0]")));
        Assert.Equal("plan", wrongLength.ParamName);
        Assert.Contains("stage", wrongLength.Message, StringComparison.OrdinalIgnoreCase);
        var stageListOnVgg = Assert.Throws<ArgumentException>(() => NetworkDescription.Describe(CnnArchitecture.Vgg11, Cifar, 10, PruningPlan.Parse("[0, 0.5, 0]")));
        Assert.Equal("plan", stageListOnVgg.ParamName);
        var unknownSkip = Assert.Throws<ArgumentException>(() => NetworkDescription.Describe(CnnArchitecture.ResNet20, Cifar, 10, PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0] skip 4.0")));
        Assert.Equal("plan", unknownSkip.ParamName);

        var tooSmall = Assert.Throws<ArgumentOutOfRangeException>(() => NetworkDescription.Describe(CnnArchitecture.SmallCnn, new ImageShape(1, 3, 3), 10));
        Assert.Equal("imageShape", tooSmall.ParamName);
        Assert.Contains("at least 4", tooSmall.Message, StringComparison.Ordinal);
    }
}
