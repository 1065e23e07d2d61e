using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary><see cref="PruningPlan.ForSpeedup"/>: the smallest paper-sweep ratio that reaches a FLOPs speedup.</summary>
public sealed class SpeedupPlanTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);
    private static readonly ImageShape Mnist = new(1, 28, 28);

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, 2.0)]
    [InlineData(CnnArchitecture.SmallCnn, 3.75)]
    [InlineData(CnnArchitecture.ResNet56, 2.0)]
    [InlineData(CnnArchitecture.Vgg19, 3.7)]
    public void TheResolvedRatioReachesTheSpeedupAndOneStepLessDoesNot(CnnArchitecture architecture, double speedup)
    {
        using var network = CnnZoo.Create(architecture, architecture == CnnArchitecture.SmallCnn ? Mnist : Cifar, 10);

        var resolved = PruningPlan.ForSpeedup(speedup).Resolve(network);
        double ratio = resolved.RatioFor(network, resolved.LayersToPrune(network)[^1]);
        var reached = FilterPruner.Prune(network, resolved);
        var below = FilterPruner.Prune(network, PruningPlan.PaperSweep(architecture, Math.Round(ratio - 0.001, 3)));

        Assert.Equal(PruningPlan.PaperSweep(architecture, ratio), resolved);
        Assert.True(reached.Speedup >= speedup, $"ratio {ratio}: {reached.Speedup}x");
        Assert.True(below.Speedup < speedup, $"ratio {ratio - 0.001}: {below.Speedup}x");
        reached.Network.Dispose();
        below.Network.Dispose();
    }

    [Fact]
    public void SmallCnnReaches3Point75xWithTheNetworkOfTheReadmesRatioOneHalf()
    {
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, Mnist, 10);

        var resolved = PruningPlan.ForSpeedup(3.75).Resolve(network);
        var bySpeedup = FilterPruner.Prune(network, resolved);
        var byRatio = FilterPruner.Prune(network, PruningPlan.Uniform(0.5));

        // 0.485 removes ceil(15.5) = 16 of 32 and ceil(31.04) = 32 of 64 filters, as 0.5 does; 0.484 keeps one more in conv2.
        Assert.Equal("0.485", resolved.ToString());
        Assert.Equal(byRatio.Network.Widths, bySpeedup.Network.Widths);
        bySpeedup.Network.Dispose();
        byRatio.Network.Dispose();
    }

    [Fact]
    public void PruningBySpeedupKeepsThePlanItWasGivenAndItsRankingAndCompensation()
    {
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, Mnist, 10);
        var plan = PruningPlan.Parse("speedup 3.75 rank folded compensate");

        var result = FilterPruner.Prune(network, plan);

        Assert.Equal(PruningPlan.ForSpeedup(3.75).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation(), plan);
        Assert.Equal("speedup 3.75 rank folded compensate", plan.ToString());
        Assert.Equal(3.75, plan.TargetSpeedup);
        Assert.Equal("0.485 rank folded compensate", plan.Resolve(network).ToString());
        Assert.Equal(3869824.0 / 1031744, result.Speedup, 9);
        result.Network.Dispose();
    }

    [Fact]
    public void ASpeedupTheNetworkCannotReachIsRefusedWithTheMostItCan()
    {
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, Mnist, 10);

        var error = Assert.Throws<ArgumentException>(() => PruningPlan.ForSpeedup(1000).LayersToPrune(network));

        Assert.Contains("speedup 1000", error.Message, StringComparison.Ordinal);
        Assert.Contains("reaches at most", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void ASpeedupBelowOneIsRejected(double speedup)
    {
        Assert.Equal("speedup", Assert.Throws<ArgumentOutOfRangeException>(() => PruningPlan.ForSpeedup(speedup)).ParamName);
        Assert.Throws<FormatException>(() => PruningPlan.Parse(FormattableString.Invariant($"speedup {speedup}")));
    }
}
