using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary><see cref="PruningPlan.PaperSweep(double)"/>: the paper's sweep at a ratio, resolved for each network it prunes.</summary>
public sealed class SweepPlanTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);
    private static readonly ImageShape Mnist = new(1, 28, 28);

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, "0.5")]
    [InlineData(CnnArchitecture.ResNet20, "0.5")]
    [InlineData(CnnArchitecture.Vgg11, "[0:0, 1-7:0.5]")]
    [InlineData(CnnArchitecture.Vgg16, "[0:0, 1-12:0.5]")]
    public void ASweepPlanResolvesToThePaperSweepOfEachArchitecture(CnnArchitecture architecture, string expected)
    {
        using var network = CnnZoo.Create(architecture, architecture == CnnArchitecture.SmallCnn ? Mnist : Cifar, 10);

        var resolved = PruningPlan.PaperSweep(0.5).Resolve(network);

        Assert.Equal(expected, resolved.ToString());
        Assert.Equal(PruningPlan.PaperSweep(architecture, 0.5), resolved);
    }

    [Fact]
    public void OnVggTheSweepKeepsTheFirstConvWholeWhereUniformHalvesIt()
    {
        using var network = CnnZoo.Create(CnnArchitecture.Vgg11, Cifar, 10);

        var sweep = FilterPruner.Prune(network, PruningPlan.PaperSweep(0.5));
        var uniform = FilterPruner.Prune(network, PruningPlan.Uniform(0.5));

        Assert.Equal(64, sweep.Network.Widths[0]);
        Assert.Equal(32, uniform.Network.Widths[0]);
        Assert.Equal(uniform.Network.Widths.Skip(1), sweep.Network.Widths.Skip(1));
        Assert.DoesNotContain(network.ConvLayers[0], PruningPlan.PaperSweep(0.5).LayersToPrune(network));
        Assert.Equal(0, PruningPlan.PaperSweep(0.5).RatioFor(network, network.ConvLayers[0]));
        Assert.Equal(0.5, PruningPlan.PaperSweep(0.5).RatioFor(network, network.ConvLayers[1]));
        sweep.Network.Dispose();
        uniform.Network.Dispose();
    }

    [Fact]
    public void TheSweepTextParsesBackWithItsSkipListRoundingRankingAndCompensation()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet56, Cifar, 10);
        var plan = PruningPlan.Parse("sweep 0.4 skip 1.0,2.3 round 8 rank folded compensate");

        var resolved = plan.Resolve(network);

        Assert.Equal("sweep 0.4 skip 1.0,2.3 round 8 rank folded compensate", plan.ToString());
        Assert.Equal(PruningPlan.PaperSweep(0.4).WithSkipList("1.0,2.3").WithChannelMultiple(8).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation(), plan);
        Assert.Equal("0.4 skip 1.0,2.3 round 8 rank folded compensate", resolved.ToString());
        Assert.NotEqual(PruningPlan.Parse("0.4 skip 1.0,2.3 round 8 rank folded compensate"), plan);
    }

    [Theory]
    [InlineData("sweep", "is not a number")]
    [InlineData("sweep 1", "outside [0, 1)")]
    [InlineData("sweep half", "is not a number")]
    public void ABadSweepRatioIsRejectedNamingTheToken(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => PruningPlan.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTrainersDefaultPlanIsTheSweepAtOneHalfRankedFoldedAndCompensated()
    {
        Assert.Equal("sweep 0.5 rank folded compensate", new ElectrostaticCnnTrainer.Options().PruningPlan.ToString());
    }

    [Theory]
    [InlineData(CnnArchitecture.Vgg11, "0.5", "features.0")]
    [InlineData(CnnArchitecture.Vgg11, "sweep 0.5", "")]
    [InlineData(CnnArchitecture.Vgg11, "speedup 3", "")]
    [InlineData(CnnArchitecture.SmallCnn, "0.5", "")]
    [InlineData(CnnArchitecture.ResNet20, "[0, 0.5, 0.5, 0.5, 0]", "")]
    public void FitWarnsOfPlanLayersThatNoSubNetworkPrunes(CnnArchitecture architecture, string plan, string expected)
    {
        using var network = CnnZoo.Create(architecture, architecture == CnnArchitecture.SmallCnn ? Mnist : Cifar, 10);

        var untrained = ElectrostaticCnnTrainer.LayersNoSubNetworkPrunes(PruningPlan.Parse(plan), new AnyRatioTrainingOptions(), network);
        var withoutAnyRatio = ElectrostaticCnnTrainer.LayersNoSubNetworkPrunes(PruningPlan.Parse(plan), null, network);

        Assert.Equal(expected, string.Join(",", untrained));
        Assert.Empty(withoutAnyRatio);
    }
}
