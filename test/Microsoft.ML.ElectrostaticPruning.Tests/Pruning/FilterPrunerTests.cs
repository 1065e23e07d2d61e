using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

public sealed class FilterPrunerTests
{
    public static TheoryData<CnnArchitecture, int, int, string> Families => new()
    {
        { CnnArchitecture.SmallCnn, 1, 28, "0.5" },
        { CnnArchitecture.Vgg11, 3, 32, "[0:0.3, 1-7:0.5]" },
        { CnnArchitecture.ResNet20, 3, 32, "[0, 0.5, 0.6, 0.4, 0]" },
        { CnnArchitecture.ResNet18, 3, 64, "[0, 0.5, 0.5, 0.5, 0.5, 0]" },
        { CnnArchitecture.ResNet50, 3, 64, "[0.5, 0.5, 0.5, 0.5, 0.5, 0]" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void PrunedNetworkEqualsTheDenseNetworkWithRemovedChannelsZeroedAfterTheirBatchNorm(CnnArchitecture architecture, int channels, int size, string plan) =>
        AssertPrunedEqualsMasked(architecture, channels, size, plan);

    /// <summary>The invariant behind the theory above, also run in safe mode (see SafeModeTests).</summary>
    internal static void AssertPrunedEqualsMasked(CnnArchitecture architecture, int channels, int size, string plan)
    {
        using var scope = NewDisposeScope();
        var shape = new ImageShape(channels, size, size);
        using var dense = TestNetworks.CreateWithRandomBatchNorm(architecture, shape, 10);
        var result = FilterPruner.Prune(dense, PruningPlan.Parse(plan));
        using var pruned = result.Network;
        using var masked = dense.Copy();
        using (no_grad())
        {
            foreach (var layer in result.Layers.Where(l => l.IsPruned))
            {
                var removed = tensor(Enumerable.Range(0, layer.OriginalFilters).Except(layer.KeptIndices).Select(i => (long)i).ToArray());
                var bn = masked.GetBatchNorm(layer.Layer);
                bn.weight!.index_fill_(0, removed, 0);
                bn.bias!.index_fill_(0, removed, 0);
            }
        }

        torch.manual_seed(5);
        var input = randn(4, channels, size, size);
        var expected = TestNetworks.Predict(masked, input);
        var actual = TestNetworks.Predict(pruned, input);
        var original = TestNetworks.Predict(dense, input);

        Assert.True(result.Layers.Count(l => l.IsPruned) >= 2);
        Assert.True(pruned.parameters().Sum(p => p.numel()) < dense.parameters().Sum(p => p.numel()));
        double difference = (actual - expected).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"max |pruned - masked| = {difference}; {ConvolutionKernels.Description}");
        double effect = (original - expected).abs().max().item<float>();
        Assert.True(effect > 1e-2, $"removing channels changed the outputs by only {effect}; the test would be meaningless");
    }

    [Fact]
    public void PruningNeverModifiesTheDenseNetwork()
    {
        using var scope = NewDisposeScope();
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);
        dense.train();
        var before = TestNetworks.Snapshot(dense);

        using var first = FilterPruner.Prune(dense, PruningPlan.Uniform(0.3)).Network;
        using var second = FilterPruner.Prune(dense, PruningPlan.Uniform(0.7)).Network;

        Assert.True(TestNetworks.SameState(before, dense.state_dict()));
        Assert.True(dense.training);
        Assert.Equal(CnnZoo.DefaultWidths(CnnArchitecture.ResNet20), dense.Widths);
        Assert.True(second.parameters().Sum(p => p.numel()) < first.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void KeepsTheFiltersWithTheLargestL1NormAndBreaksTiesTowardsTheLowerIndex()
    {
        using var scope = NewDisposeScope();
        // Filter L1 norms: 3, 1, 2, 2, 5, 1 -> keep 3 of 6: 4 (5), 0 (3), then 2 before 3 (tie at 2).
        var weight = tensor(new float[] { 3, -1, 2, -2, 5, 1 }).reshape(6, 1, 1, 1);

        Assert.Equal([0, 2, 4], FilterPruner.KeptFilterIndices(weight, 3));
        Assert.Equal([0, 2, 3, 4], FilterPruner.KeptFilterIndices(weight, 4));
        Assert.Equal([3.0, 1.0, 2.0, 2.0, 5.0, 1.0], FilterPruner.FilterNorms(weight));
    }

    [Theory]
    [InlineData(16, 0.52, 9)]
    [InlineData(32, 0.52, 17)]
    [InlineData(64, 0.65, 42)]
    [InlineData(64, 0.7, 45)]
    [InlineData(16, 0.0, 0)]
    [InlineData(4, 0.99, 3)]
    [InlineData(2, 0.5, 1)]
    public void PrunedCountIsCeilingOfRatioTimesFiltersButNeverAll(int filters, double ratio, int expected) =>
        Assert.Equal(expected, FilterPruner.PrunedCount(filters, ratio));

    [Fact]
    public void PrunedLayersReportTheirKeptFilterCounts()
    {
        using var dense = CnnZoo.Create(CnnArchitecture.ResNet56, new ImageShape(3, 32, 32), 10);

        var result = FilterPruner.Prune(dense, PruningPlan.Parse("[0, 0.52, 0.52, 0.52, 0]"));
        using var pruned = result.Network;

        Assert.Equal(55, result.Layers.Count);
        Assert.Equal([7, 15, 30], result.Layers.Where(l => l.IsPruned).Select(l => l.KeptFilters).Distinct());
        Assert.Equal(27, result.Layers.Count(l => l.IsPruned));
        Assert.Equal(7, pruned.GetConv(pruned.GetLayer(1)).out_channels);
        Assert.Equal(7, pruned.GetConv(pruned.GetLayer(2)).in_channels);
        Assert.Equal(16, pruned.GetConv(pruned.GetLayer(2)).out_channels);
        Assert.Equal(7, pruned.Widths[1]);
    }

    [Fact]
    public void ChannelRoundingKeepsAMultipleOfTheGivenFilterCount()
    {
        using var dense = CnnZoo.Create(CnnArchitecture.ResNet56, new ImageShape(3, 32, 32), 10);

        var result = FilterPruner.Prune(dense, PruningPlan.Parse("[0, 0.52, 0.52, 0.52, 0]"), new ChannelRounding(8));
        using var pruned = result.Network;

        // 7 -> 8, 15 -> 16 (nothing removed), 30 -> 32.
        Assert.Equal([8, 16, 32], result.Layers.Where(l => l.Ratio > 0).Select(l => l.KeptFilters).Distinct());
        Assert.True(result.Speedup > 1 && result.Speedup < 2.17);
        Assert.Equal(16, new ChannelRounding(8).Round(9, 16));
        Assert.Equal(12, new ChannelRounding(8).Round(9, 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelRounding(0));
    }

    [Fact]
    public void APlanThatSaysRound16GivesVgg19WidthsInBlocksOf16AndASmallerSpeedup()
    {
        using var dense = CnnZoo.Create(CnnArchitecture.Vgg19, new ImageShape(3, 32, 32), 100);

        var result = FilterPruner.Prune(dense, PruningPlan.Parse("[0:0, 1-15:0.65] round 16"));
        using var pruned = result.Network;

        // Unrounded: 64, 22, 44, 44, 89 x4, 179 x8 and 6.85x.
        Assert.Equal([64, 32, 48, 48, 96, 96, 96, 96, 192, 192, 192, 192, 192, 192, 192, 192], pruned.Widths);
        Assert.Equal(5.53, Math.Round(result.Speedup, 2));
        using var explicitRounding = FilterPruner.Prune(dense, PruningPlan.Parse("[0:0, 1-15:0.65] round 16"), new ChannelRounding(8)).Network;
        Assert.Equal(24, explicitRounding.Widths[1]);
    }

    [Fact]
    public void APrunedNetworkCanBePrunedAgain()
    {
        using var scope = NewDisposeScope();
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.Vgg11, new ImageShape(3, 32, 32), 10);
        using var once = FilterPruner.Prune(dense, PruningPlan.Uniform(0.5)).Network;

        var twice = FilterPruner.Prune(once, PruningPlan.Uniform(0.5));
        using var network = twice.Network;

        Assert.Equal(16, network.Widths[0]);
        Assert.Equal(new long[] { 2, 10 }, TestNetworks.Predict(network, randn(2, 3, 32, 32)).shape);
        Assert.True(twice.Speedup > 3);
    }

    [Theory]
    [InlineData(CnnArchitecture.ResNet20, "[0, 0.3, 0.5, 0.7, 0]")]
    [InlineData(CnnArchitecture.Vgg11, "[0:0, 1-7:0.65] round 8")]
    [InlineData(CnnArchitecture.SmallCnn, "0.5 rank folded compensate")]
    public void RemovedCountsAreWhatPruningRemovesFromEachRegularizedLayerInOrder(CnnArchitecture architecture, string planText)
    {
        using var network = CnnZoo.Create(architecture, architecture == CnnArchitecture.SmallCnn ? new ImageShape(1, 28, 28) : new ImageShape(3, 32, 32), 10);
        var plan = PruningPlan.Parse(planText);

        int[] counts = FilterPruner.RemovedCounts(network, plan);
        var result = FilterPruner.Prune(network, plan);
        using var pruned = result.Network;

        var byLayer = result.Layers.ToDictionary(l => l.Layer.LayerIndex);
        Assert.Equal(plan.LayersToPrune(network).Select(l => byLayer[l.LayerIndex].OriginalFilters - byLayer[l.LayerIndex].KeptFilters), counts);
        Assert.Equal(plan.WeightsToRegularize(network).Count, counts.Length);
        Assert.Contains(counts, c => c > 0);
    }
}
