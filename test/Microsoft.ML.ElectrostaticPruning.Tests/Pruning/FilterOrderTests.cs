using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary><see cref="FilterOrder"/>: pruning by the order sandwich training trained over, and its stream format.</summary>
public sealed class FilterOrderTests
{
    private static readonly ImageShape Shape = new(3, 16, 16);

    [Fact]
    public void APlanWithTheOrdersRankingKeepsTheFirstFiltersOfTheOrderAndAnotherRankingRanksTheWeights()
    {
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Shape, 10);
        var folded = PruningPlan.PaperSweep(CnnArchitecture.ResNet20, 0.5).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation(true);
        var raw = PruningPlan.PaperSweep(CnnArchitecture.ResNet20, 0.5);
        // The weakest filters first: the opposite of what ranking the weights keeps.
        var order = WeakestFirst(dense, folded);

        var byOrder = FilterPruner.Prune(dense, folded, order: order);
        var byWeights = FilterPruner.Prune(dense, folded);
        var rawByOrder = FilterPruner.Prune(dense, raw, order: order);
        var rawByWeights = FilterPruner.Prune(dense, raw);
        using var a = byOrder.Network;
        using var b = byWeights.Network;
        using var c = rawByOrder.Network;
        using var d = rawByWeights.Network;

        var pruned = byOrder.Layers.Where(l => l.IsPruned).ToArray();
        Assert.Equal(9, pruned.Length);
        Assert.All(pruned, l => Assert.Equal(order.Kept(l.Layer.Name, l.KeptFilters), l.KeptIndices));
        Assert.All(byOrder.Layers.Zip(byWeights.Layers).Where(p => p.First.IsPruned), p => Assert.NotEqual(p.First.KeptIndices, p.Second.KeptIndices));
        Assert.All(rawByOrder.Layers.Zip(rawByWeights.Layers), p => Assert.Equal(p.Second.KeptIndices, p.First.KeptIndices));
    }

    [Fact]
    public void BelowTheNarrowestTrainedWidthItKeepsTheHighestRankedOfThatWidthsFilters()
    {
        int[] order = [5, 4, 3, 2, 1, 0];
        double[] norms = [9, 1, 8, 7, 2, 3];
        var filterOrder = new FilterOrder(FilterRanking.L1Norm, new Dictionary<string, int[]> { ["conv1"] = order }, new Dictionary<string, int> { ["conv1"] = 4 });
        int reads = 0;
        double[] Norms()
        {
            reads++;
            return norms;
        }

        // At and above the narrowest trained width (4 filters): the order's prefix, without reading the weights.
        Assert.Equal([2, 3, 4, 5], filterOrder.Kept("conv1", 4, Norms)!);
        Assert.Equal([1, 2, 3, 4, 5], filterOrder.Kept("conv1", 5, Norms)!);
        Assert.Equal(0, reads);
        // Below it: of the narrowest width's filters {5, 4, 3, 2}, those the final weights rank highest (7, 8 of 3, 2),
        // not the order's first two {5, 4} and not the weights' overall best {0, 2}.
        Assert.Equal([2, 3], filterOrder.Kept("conv1", 2, Norms)!);
        Assert.Equal(1, reads);
        Assert.Equal([4, 5], filterOrder.Kept("conv1", 2)!);
        Assert.Equal(4, filterOrder.Narrowest("conv1"));
        Assert.Contains("keeps 7 filters; expected 0 to 6", Assert.Throws<ArgumentException>(() => new FilterOrder(FilterRanking.L1Norm, new Dictionary<string, int[]> { ["conv1"] = order }, new Dictionary<string, int> { ["conv1"] = 7 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOrderLoadsBackFromItsStreamAndACorruptByteOrANonPermutationIsRejected()
    {
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Shape, 10);
        var plan = PruningPlan.PaperSweep(CnnArchitecture.ResNet20, 0.5).WithRanking(FilterRanking.FoldedL1Norm);
        var order = WeakestFirst(dense, plan);
        using var buffer = new MemoryStream();
        order.Save(buffer);
        byte[] bytes = buffer.ToArray();

        var loaded = FilterOrder.Load(new MemoryStream(bytes));

        Assert.Equal(FilterRanking.FoldedL1Norm, loaded.Ranking);
        Assert.True(loaded.Fits(dense));
        Assert.Equal(order.Convs.Order(), loaded.Convs.Order());
        Assert.All(order.Convs, conv => Assert.Equal(order.Narrowest(conv), loaded.Narrowest(conv)));
        Assert.Contains(order.Convs, conv => order.Narrowest(conv) > 0);
        Assert.All(order.Convs, conv =>
        {
            int filters = dense.ConvLayers.First(l => l.Name == conv).OutChannels;
            Assert.All(Enumerable.Range(0, filters + 1), k => Assert.Equal(order.Kept(conv, k), loaded.Kept(conv, k)));
        });

        bytes[bytes.Length / 2] ^= 0x08;
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => FilterOrder.Load(new MemoryStream(bytes))).Message, StringComparison.Ordinal);
        var error = Assert.Throws<ArgumentException>(() => new FilterOrder(FilterRanking.L1Norm, new Dictionary<string, int[]> { ["conv1"] = [0, 2, 2] }));
        Assert.Contains("'conv1' is not a permutation of 0..2", error.Message, StringComparison.Ordinal);
        using var narrower = FilterPruner.Prune(dense, plan).Network;
        Assert.False(loaded.Fits(narrower));
    }

    // Every conv the plan prunes, its filters ranked weakest first by the plan's ranking, a quarter of them the narrowest width.
    private static FilterOrder WeakestFirst(CnnNetwork dense, PruningPlan plan) => new(
        plan.Ranking,
        plan.LayersToPrune(dense).ToDictionary(
            l => l.Name,
            l => FilterPruner.RankingNorms(dense, l, plan.Ranking).Select((norm, i) => (norm, i)).OrderBy(p => p.norm).ThenByDescending(p => p.i).Select(p => p.i).ToArray()),
        plan.LayersToPrune(dense).ToDictionary(l => l.Name, l => l.OutChannels / 4));
}
