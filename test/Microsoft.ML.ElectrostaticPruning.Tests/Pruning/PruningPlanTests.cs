using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

public sealed class PruningPlanTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);

    [Theory]
    [InlineData("0.5", "0.5")]
    [InlineData(" [0, 0.52,0.52, 0.52, 0] ", "[0, 0.52, 0.52, 0.52, 0]")]
    [InlineData("[0:0, 1-15:0.65]", "[0:0, 1-15:0.65]")]
    [InlineData("[0, 0.5, 0.5, 0.5, 0, 0] skip 1.0, 2.0,2.3,3.0,3.5", "[0, 0.5, 0.5, 0.5, 0, 0] skip 1.0,2.0,2.3,3.0,3.5")]
    [InlineData("[0:0,1-15:0.70]", "[0:0, 1-15:0.7]")]
    [InlineData("[0:0, 1-15:0.65]  ROUND 16", "[0:0, 1-15:0.65] round 16")]
    [InlineData("[0, 0.5, 0.5, 0.5, 0, 0] skip 1.0,2.0 round 8", "[0, 0.5, 0.5, 0.5, 0, 0] skip 1.0,2.0 round 8")]
    [InlineData("0.5 round 1", "0.5")]
    public void ToStringIsCanonicalAndParsesBackToAnEqualPlan(string text, string canonical)
    {
        var plan = PruningPlan.Parse(text);

        Assert.Equal(canonical, plan.ToString());
        Assert.Equal(plan, PruningPlan.Parse(plan.ToString()));
    }

    [Fact]
    public void ResNet56StageListPrunesOnlyTheFirstConvOfEveryBlock()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet56, Cifar, 10);
        var plan = PruningPlan.Parse("[0, 0.62, 0.63, 0.62, 0]");

        var layers = plan.LayersToPrune(network);

        Assert.Equal(27, layers.Count);
        Assert.All(layers, l => Assert.Equal(1, l.Position));
        Assert.Equal(0.63, plan.RatioFor(network, network.GetLayer(19)));
        Assert.Equal(0, plan.RatioFor(network, network.GetLayer(20)));
        Assert.Equal(0, plan.RatioFor(network, network.GetLayer(0)));
        Assert.Equal(27, plan.WeightsToRegularize(network).Count);
        Assert.Same(network.GetConv(network.GetLayer(1)).weight, plan.WeightsToRegularize(network)[0]);
    }

    [Fact]
    public void VggLayerMapPrunesLayersOneToFifteen()
    {
        using var network = CnnZoo.Create(CnnArchitecture.Vgg19, Cifar, 100);

        var layers = PruningPlan.Parse("[0:0, 1-15:0.65]").LayersToPrune(network);

        Assert.Equal(Enumerable.Range(1, 15), layers.Select(l => l.LayerIndex));
    }

    [Fact]
    public void SkipListExemptsWholeBlocksOfResNet34()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet34, new ImageShape(3, 32, 32), 1000);
        var plan = PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0, 0]");

        var all = plan.LayersToPrune(network);
        var skipped = plan.WithSkipList("1.0,2.0,2.3,3.0,3.5").LayersToPrune(network);

        Assert.Equal(13, all.Count);
        Assert.Equal(8, skipped.Count);
        Assert.DoesNotContain(skipped, l => l.Name == "layer2.3.conv1");
        Assert.Contains(skipped, l => l.Name == "layer2.1.conv1");
        Assert.Equal(["1.0", "2.0", "2.3", "3.0", "3.5"], plan.WithSkipList("1.0,2.0,2.3,3.0,3.5").SkippedBlocks);
    }

    [Fact]
    public void UniformRatioPrunesEveryPrunableConvButNoShortcutOrLockedConv()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet50, new ImageShape(3, 32, 32), 10);

        var layers = PruningPlan.Uniform(0.3).LayersToPrune(network);

        Assert.Equal(1 + (16 * 2), layers.Count);
        Assert.DoesNotContain(layers, l => l.IsShortcut || l.IsResidualLocked);
        Assert.Contains(layers, l => l.Name == "conv1");
    }

    [Fact]
    public void LayerDictionaryFromCodeGivesPerLayerRatios()
    {
        using var network = CnnZoo.Create(CnnArchitecture.Vgg11, Cifar, 10);
        var plan = PruningPlan.FromLayerRatios(new Dictionary<int, double> { [3] = 0.25, [1] = 0.5 });

        Assert.Equal([1, 3], plan.LayersToPrune(network).Select(l => l.LayerIndex));
        Assert.Equal(0.25, plan.RatioFor(network, network.GetLayer(3)));
        Assert.Equal("[1:0.5, 3:0.25]", plan.ToString());
    }

    [Theory]
    [InlineData("", "has no ratios")]
    [InlineData("abc", "'abc' in entry 'abc' is not a number")]
    [InlineData("[0, 0.5", "expected ']' at the end")]
    [InlineData("[0, , 0.5]", "empty entry")]
    [InlineData("[0:0, 0.5]", "entry '0.5' is not 'layer:ratio' or 'first-last:ratio'")]
    [InlineData("[0:0, 1-x:0.5]", "'1-x' in entry '1-x:0.5' is not a layer index")]
    [InlineData("[5-3:0.5]", "range '5-3' in entry '5-3:0.5' ends before it starts")]
    [InlineData("[1-5:0.5, 3:0.2]", "entry '3:0.2' overlaps entry '1-5:0.5'")]
    [InlineData("1.0", "ratio '1.0' in entry '1.0' is outside [0, 1)")]
    [InlineData("[0, -0.1, 0.5, 0.5, 0]", "ratio '-0.1' in entry '-0.1' is outside [0, 1)")]
    [InlineData("[0:0, 1-15:0.6x]", "'0.6x' in entry '1-15:0.6x' is not a number")]
    [InlineData("0.5 skip 1.x", "entry '1.x' is not 'stage.block'")]
    [InlineData("0.5 round", "'round ' needs one positive integer (the filter multiple, e.g. 'round 8'), written last")]
    [InlineData("0.5 round 0", "'round 0' needs one positive integer")]
    [InlineData("0.5 round 8 skip 1.0", "'round 8 skip 1.0' needs one positive integer")]
    [InlineData("0.5 round -8", "'round -8' needs one positive integer")]
    public void ParseErrorsNameTheOffendingTokenAndWhatWasExpected(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => PruningPlan.Parse(text));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AChannelMultipleIsKeptBySkipListsAndRejectedBelowOne()
    {
        var plan = PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0, 0]").WithChannelMultiple(8).WithSkipList("1.0");

        Assert.Equal(8, plan.ChannelMultiple);
        Assert.Equal(8, plan.ChannelRounding!.Multiple);
        Assert.Null(PruningPlan.Uniform(0.5).ChannelRounding);
        Assert.Equal("[0, 0.5, 0.5, 0.5, 0, 0] skip 1.0 round 8", plan.ToString());
        Assert.NotEqual(PruningPlan.Uniform(0.5), PruningPlan.Uniform(0.5).WithChannelMultiple(16));
        Assert.Equal("multiple", Assert.Throws<ArgumentOutOfRangeException>(() => PruningPlan.Uniform(0.5).WithChannelMultiple(0)).ParamName);
    }

    [Fact]
    public void AStageListOfTheWrongLengthIsRejectedWithTheExpectedLength()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet56, Cifar, 10);

        var error = Assert.Throws<ArgumentException>(() => PruningPlan.Parse("[0, 0.5, 0.5, 0, 0, 0]").LayersToPrune(network));

        Assert.Contains("has 6 stage ratios but ResNet56 needs 5: stem, 3 residual stages, classifier", error.Message);
    }

    [Fact]
    public void AStageListOnAPlainNetworkPointsToTheLayerMap()
    {
        using var network = CnnZoo.Create(CnnArchitecture.Vgg19, Cifar, 100);

        var error = Assert.Throws<ArgumentException>(() => PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0]").LayersToPrune(network));

        Assert.Contains("Vgg19 is not one. Use a layer map such as [0:0, 1-15:0.5]", error.Message);
    }

    [Theory]
    [InlineData("[0:0, 1-17:0.65]", "unknown layer index 17 in '1-17:0.65'; Vgg19 has layers 0-16 (convs 0-15, classifier 16)")]
    [InlineData("[0:0, 1-16:0.65]", "'1-16:0.65' prunes layer 16, the classifier of Vgg19")]
    public void LayerMapsThatDoNotFitTheModelAreRejected(string text, string message)
    {
        using var network = CnnZoo.Create(CnnArchitecture.Vgg19, Cifar, 100);

        var error = Assert.Throws<ArgumentException>(() => PruningPlan.Parse(text).LayersToPrune(network));

        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("[2:0.5]", "layer 2 (layer1.0.conv2) of ResNet56 cannot be pruned: it is residual-locked")]
    [InlineData("[0, 0.5, 0.5, 0.5, 0.1]", "the last entry is the classifier of ResNet56")]
    [InlineData("[0.3, 0.5, 0.5, 0.5, 0]", "stage 0 of ResNet56 has no prunable conv")]
    [InlineData("[0, 0.5, 0.5, 0.5, 0] skip 4.0", "skip entry 4.0 matches no block of ResNet56 (stages 0-3)")]
    public void PlansThatWouldPruneLockedLayersOrMissTheModelAreRejected(string text, string message)
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet56, Cifar, 10);

        var error = Assert.Throws<ArgumentException>(() => PruningPlan.Parse(text).LayersToPrune(network));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void CodeFactoriesRejectRatiosOutsideTheUnitInterval()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningPlan.Uniform(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningPlan.Uniform(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningPlan.FromLayerRatios(new Dictionary<int, double> { [0] = -0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningPlan.FromLayerRatios(new Dictionary<int, double> { [-1] = 0.5 }));
    }
}
