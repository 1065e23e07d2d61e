using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Tools;

/// <summary>Seeds torch's global RNG, so it runs alone.</summary>
[Collection(GlobalTorchRngCollection.Name)]
public sealed class NetworkDescriptionRngTests
{
    [Fact]
    public void DescribingANetworkLeavesTheGlobalTorchRngUntouched()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var expected = randn(8).data<float>().ToArray();

        manual_seed(11);
        var before = get_rng_state();
        NetworkDescription.Describe(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10, PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0]"));
        NetworkDescription.Describe(CnnArchitecture.Vgg11, new ImageShape(3, 32, 32), 10);
        var after = get_rng_state();
        var drawn = randn(8).data<float>().ToArray();

        Assert.True(before.equal(after).all().item<bool>());
        Assert.Equal(expected, drawn);
    }
}
