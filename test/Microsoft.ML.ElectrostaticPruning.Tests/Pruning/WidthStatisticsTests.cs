using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary><see cref="WidthStatistics"/>: BatchNorm statistics measured at stored widths and given to data-free pruning.</summary>
public sealed class WidthStatisticsTests
{
    private static readonly ImageShape Shape = new(3, 16, 16);
    private static readonly PruningPlan Folded = PruningPlan.PaperSweep(CnnArchitecture.ResNet20, 0.5).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation(true);

    [Fact]
    public void TheStoredRatiosOfARangeAreItsEndsAndTheMultiplesOfTheStepBetween()
    {
        Assert.Equal(new[] { 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7 }, WidthStatistics.RangeRatios(0.1, 0.7));
        Assert.Equal(new[] { 0.05, 0.1, 0.12 }, WidthStatistics.RangeRatios(0, 0.12));
        Assert.Equal(new[] { 0.3 }, WidthStatistics.RangeRatios(0.3, 0.3));
    }

    [Fact]
    public void AtAStoredWidthDataFreePruningGetsExactlyTheStatisticsRecalibrationGives()
    {
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Shape, 10);
        var images = RandomImages(96, seed: 2);
        var statistics = WidthStatistics.Measure(dense, Folded, [0.3, 0.5], images, images: 64, seed: 7);

        var applied = FilterPruner.Prune(dense, Folded);
        using var withStatistics = applied.Network;
        using var dataFree = FilterPruner.Prune(dense, Folded).Network;
        using var recalibrated = FilterPruner.Prune(dense, Folded).Network;
        BatchNormCalibration.Recalibrate(recalibrated, images, 64, seed: 7);

        Assert.Equal(0.5, statistics.Apply(applied));
        foreach (var layer in recalibrated.ConvLayers)
        {
            Assert.Equal(Statistics(recalibrated, layer), Statistics(withStatistics, layer));
        }

        // The statistics change what the network computes (recalibration's outputs, not the dense statistics' ones).
        torch.manual_seed(3);
        var input = randn(4, 3, 16, 16);
        Assert.True(TestNetworks.Predict(withStatistics, input).equal(TestNetworks.Predict(recalibrated, input)).all().item<bool>());
        Assert.True((TestNetworks.Predict(withStatistics, input) - TestNetworks.Predict(dataFree, input)).abs().max().item<float>() > 1e-2);
    }

    [Fact]
    public void BetweenStoredWidthsEachChannelMovesFromTheWiderNetworksStatisticsTowardsTheNarrowersByTheShareOfChannelsRemoved()
    {
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Shape, 10);
        var images = RandomImages(64, seed: 2);
        var statistics = WidthStatistics.Measure(dense, Folded, [0.2, 0.3, 0.6], images, images: 64, seed: 7);
        var atWider = FilterPruner.Prune(dense, At(0.3));
        var atNarrower = FilterPruner.Prune(dense, At(0.6));
        using var wider = atWider.Network;
        using var narrower = atNarrower.Network;
        BatchNormCalibration.Recalibrate(wider, images, 64, seed: 7);
        BatchNormCalibration.Recalibrate(narrower, images, 64, seed: 7);

        var pruning = FilterPruner.Prune(dense, At(0.45));
        using var pruned = pruning.Network;

        Assert.Equal(0.3, statistics.Apply(pruning));
        static int Channels(PruningResult p) => p.Layers.Sum(l => l.KeptFilters);
        float t = (float)(Channels(atWider) - Channels(pruning)) / (Channels(atWider) - Channels(atNarrower));
        Assert.InRange(t, 0.3f, 0.7f);
        var widerKept = atWider.Layers.ToDictionary(l => l.Layer.Name, l => l.KeptIndices.ToList());
        var narrowerKept = atNarrower.Layers.ToDictionary(l => l.Layer.Name, l => l.KeptIndices.ToList());
        int onlyInWider = 0;
        foreach (var layer in pruning.Layers)
        {
            var inWider = widerKept[layer.Layer.Name];
            var inNarrower = narrowerKept[layer.Layer.Name];
            float[] a = Statistics(wider, layer.Layer), b = Statistics(narrower, layer.Layer), actual = Statistics(pruned, layer.Layer);
            for (int j = 0; j < layer.KeptFilters; j++)
            {
                int c = layer.KeptIndices[j], p = inWider.IndexOf(c), q = inNarrower.IndexOf(c);
                onlyInWider += q < 0 ? 1 : 0;
                foreach (var (offset, offsetB, offsetActual) in new[] { (0, 0, 0), (inWider.Count, inNarrower.Count, layer.KeptFilters) })
                {
                    float expected = q < 0 ? a[offset + p] : a[offset + p] + (t * (b[offsetB + q] - a[offset + p]));
                    Assert.Equal(expected, actual[offsetActual + j], 1e-6f * (1 + Math.Abs(expected)));
                }
            }
        }

        Assert.True(onlyInWider > 0, "every channel was also in the narrower width");
    }

    [Fact]
    public void WithoutAStoredWidthThatContainsThePrunedNetworkItKeepsTheDenseStatistics()
    {
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Shape, 10);
        var images = RandomImages(64, seed: 2);
        var statistics = WidthStatistics.Measure(dense, Folded, [0.3, 0.5], images, images: 64, seed: 7);

        // Wider than every stored width, and ranked by another norm: no stored network contains it.
        foreach (var plan in new[] { At(0.1), PruningPlan.PaperSweep(CnnArchitecture.ResNet20, 0.5) })
        {
            var pruning = FilterPruner.Prune(dense, plan);
            using var pruned = pruning.Network;
            using var untouched = FilterPruner.Prune(dense, plan).Network;

            Assert.Null(statistics.Apply(pruning));
            Assert.All(pruned.ConvLayers, layer => Assert.Equal(Statistics(untouched, layer), Statistics(pruned, layer)));
        }
    }

    [Fact]
    public void SavedStatisticsLoadBackAndACorruptByteIsRejectedByTheChecksum()
    {
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Shape, 10);
        var images = RandomImages(64, seed: 2);
        var statistics = WidthStatistics.Measure(dense, Folded, [0.3, 0.5], images, images: 64, seed: 7);
        using var buffer = new MemoryStream();
        statistics.Save(buffer);
        byte[] bytes = buffer.ToArray();

        var loaded = WidthStatistics.Load(new MemoryStream(bytes));
        var first = FilterPruner.Prune(dense, At(0.4));
        var second = FilterPruner.Prune(dense, At(0.4));
        using var a = first.Network;
        using var b = second.Network;

        Assert.Equal(new[] { 0.3, 0.5 }, loaded.Ratios);
        Assert.True(loaded.Fits(dense));
        Assert.Equal(statistics.Apply(first), loaded.Apply(second));
        Assert.All(a.ConvLayers, layer => Assert.Equal(Statistics(a, layer), Statistics(b, layer)));

        bytes[bytes.Length / 2] ^= 0x40;
        var error = Assert.Throws<InvalidDataException>(() => WidthStatistics.Load(new MemoryStream(bytes)));
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        using var narrower = FilterPruner.Prune(dense, At(0.5)).Network;
        Assert.False(loaded.Fits(narrower));
    }

    private static PruningPlan At(double ratio) => PruningPlan.PaperSweep(CnnArchitecture.ResNet20, ratio).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation(true);

    private static ImageDataset RandomImages(int count, int seed)
    {
        var random = new Random(seed);
        float[] pixels = [.. Enumerable.Range(0, count * Shape.Size).Select(_ => (float)random.NextDouble())];
        return new ImageDataset(pixels, [.. Enumerable.Range(0, count).Select(i => i % 10)], Shape, 10);
    }

    // The running means, then the running variances, of the BatchNorm after the conv named like layer.
    private static float[] Statistics(CnnNetwork network, ConvLayerInfo layer)
    {
        var batchNorm = network.GetBatchNorm(network.ConvLayers.First(l => l.Name == layer.Name));
        return [.. batchNorm.running_mean!.data<float>().ToArray(), .. batchNorm.running_var!.data<float>().ToArray()];
    }
}
