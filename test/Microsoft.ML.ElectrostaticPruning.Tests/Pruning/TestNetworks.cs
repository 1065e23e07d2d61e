using Microsoft.ML.ElectrostaticPruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary>Builds networks whose BatchNorms are not the identity, so that pruning tests can fail.</summary>
internal static class TestNetworks
{
    /// <summary>A seeded network in eval mode with random BN scale, shift and running statistics; default widths unless given.</summary>
    public static CnnNetwork CreateWithRandomBatchNorm(CnnArchitecture architecture, ImageShape shape, int classes, int seed = 1, IReadOnlyList<int>? widths = null)
    {
        torch.manual_seed(seed);
        var network = CnnZoo.Create(architecture, shape, classes, widths ?? CnnZoo.DefaultWidths(architecture));
        TestSupport.RandomBatchNorm.Apply(network);
        return network;
    }

    /// <summary>Outputs of <paramref name="network"/> on <paramref name="input"/> in eval mode without gradients.</summary>
    public static Tensor Predict(CnnNetwork network, Tensor input)
    {
        network.eval();
        using var noGrad = no_grad();
        return network.call(input);
    }

    /// <summary>Whether every state entry of <paramref name="a"/> equals <paramref name="b"/>'s exactly.</summary>
    public static bool SameState(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && kv.Value.shape.SequenceEqual(other.shape) && kv.Value.equal(other).all().item<bool>());

    /// <summary>A deep copy of a state dictionary.</summary>
    public static Dictionary<string, Tensor> Snapshot(CnnNetwork network) =>
        network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
}
