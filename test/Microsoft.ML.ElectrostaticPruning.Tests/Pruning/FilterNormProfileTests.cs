using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

public sealed class FilterNormProfileTests
{
    [Fact]
    public void NormalizedNormsDivideEachFilterNormByTheLayersLargest()
    {
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);
        var layer = network.GetLayer(0);
        using (no_grad())
        {
            // conv1 has 32 filters of 1x3x3: filter f gets all nine weights equal to (f - 16) / 9, so its L1 norm is |f - 16|.
            var values = arange(32, ScalarType.Float32).sub(16).div(9).reshape(32, 1, 1, 1).expand(32, 1, 3, 3);
            network.GetConv(layer).weight!.copy_(values);
        }

        var profile = FilterNormProfile.Measure(network, layer);

        Assert.Equal(16.0, profile.Norms[0], 5);
        Assert.Equal(0.0, profile.Norms[16], 5);
        Assert.Equal(15.0, profile.Norms[31], 5);
        Assert.Equal(1.0, profile.Normalized[0], 6);
        Assert.Equal(15.0 / 16.0, profile.Normalized[31], 6);
        Assert.Equal(0.0, profile.SortedNormalized[0], 6);
        Assert.Equal(1.0, profile.SortedNormalized[^1], 6);
        Assert.True(profile.SortedNormalized.Zip(profile.SortedNormalized.Skip(1)).All(p => p.First <= p.Second));
    }

    [Fact]
    public void ProfilesCoverExactlyTheLayersThePlanPrunes()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);

        var profiles = FilterNormProfile.Measure(network, PruningPlan.Parse("[0, 0.5, 0, 0.5, 0]"));

        Assert.Equal(6, profiles.Count);
        Assert.Equal([1, 3, 5, 13, 15, 17], profiles.Select(p => p.Layer.LayerIndex));
        Assert.All(profiles, p => Assert.Equal(p.Layer.OutChannels, p.Normalized.Count));
    }

    [Fact]
    public void AnAllZeroLayerGivesZerosInsteadOfNaN()
    {
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);
        using (no_grad())
        {
            network.GetConv(network.GetLayer(1)).weight!.zero_();
        }

        var profile = FilterNormProfile.Measure(network, network.GetLayer(1));

        Assert.All(profile.Normalized, v => Assert.Equal(0.0, v));
    }
}
