using Microsoft.ML.ElectrostaticPruning.Models;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Models;

/// <summary>Seeds torch's global RNG, so it runs alone: a test running in parallel could draw from the same generator.</summary>
[Collection(GlobalTorchRngCollection.Name)]
public sealed class CnnZooSeedingTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);

    [Fact]
    public void ASeededTorchRngGivesIdenticalInitialWeights()
    {
        torch.manual_seed(7);
        using var first = CnnZoo.Create(CnnArchitecture.ResNet20, Cifar, 10);
        torch.manual_seed(7);
        using var second = CnnZoo.Create(CnnArchitecture.ResNet20, Cifar, 10);

        var a = first.state_dict();
        var b = second.state_dict();
        Assert.All(a, kv => Assert.True(kv.Value.equal(b[kv.Key]).all().item<bool>(), kv.Key));
    }
}
