using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary>The paper's Table 2 speedups, measured on the real pruned networks.</summary>
public sealed class PaperSpeedupTests
{
    [Theory]
    [InlineData("[0, 0.52, 0.52, 0.52, 0]", 2.17)]
    [InlineData("[0, 0.6, 0.6, 0.6, 0]", 2.62)]
    [InlineData("[0, 0.62, 0.63, 0.62, 0]", 2.73)]
    public void ResNet56OnCifar10ReachesTheTable2Speedups(string plan, double speedup)
    {
        using var dense = CnnZoo.Create(CnnArchitecture.ResNet56, new ImageShape(3, 32, 32), 10);

        var result = FilterPruner.Prune(dense, PruningPlan.Parse(plan));

        Assert.Equal(speedup, Math.Round(result.Speedup, 2));
        Assert.Equal(0.8490, Math.Round(result.Dense.MegaParameters, 4));
        Assert.Equal(0.2510, Math.Round(result.Dense.GigaFlops, 4));
        result.Network.Dispose();
    }

    [Theory]
    [InlineData("[0:0, 1-15:0.65]", 6.85)]
    [InlineData("[0:0, 1-15:0.70]", 8.89)]
    public void Vgg19OnCifar100ReachesTheTable2Speedups(string plan, double speedup)
    {
        using var dense = CnnZoo.Create(CnnArchitecture.Vgg19, new ImageShape(3, 32, 32), 100);

        var result = FilterPruner.Prune(dense, PruningPlan.Parse(plan));

        Assert.Equal(speedup, Math.Round(result.Speedup, 2));
        Assert.Equal(20.0702, Math.Round(result.Dense.MegaParameters, 4));
        Assert.Equal(0.7964, Math.Round(result.Dense.GigaFlops, 4));
        result.Network.Dispose();
    }

    [Fact]
    public void ResNet34OnImageNetReaches134xWithTheSkipListAnd165xWithout()
    {
        using var dense = CnnZoo.Create(CnnArchitecture.ResNet34, new ImageShape(3, 224, 224), 1000);
        var plan = PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0, 0]");

        var skipped = FilterPruner.Prune(dense, plan.WithSkipList("1.0,2.0,2.3,3.0,3.5"));
        var all = FilterPruner.Prune(dense, plan);

        Assert.Equal(1.34, Math.Round(skipped.Speedup, 2));
        Assert.Equal(1.65, Math.Round(all.Speedup, 2));
        Assert.Equal(21.7806, Math.Round(skipped.Dense.MegaParameters, 4));
        Assert.Equal(3.6638, Math.Round(skipped.Dense.GigaMacs, 4));
        skipped.Network.Dispose();
        all.Network.Dispose();
    }
}
