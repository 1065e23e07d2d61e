using Microsoft.ML.ElectrostaticPruning.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

/// <summary>Zoo SmallCnn instances with reproducible weights, and helpers to compare weights exactly.</summary>
internal static class TestModels
{
    /// <summary>
    /// The zoo's SmallCnn (conv-BN-ReLU-pool x2, linear) with conv widths <paramref name="width1"/>/<paramref name="width2"/>,
    /// its weights and biases drawn uniformly in +-1/sqrt(fan_in) (torch's default range) from a <see cref="Random"/>
    /// seeded with <paramref name="seed"/>: unlike torch's global RNG it cannot be disturbed by tests running in parallel.
    /// </summary>
    public static CnnNetwork SmallCnn(ImageShape input, int classes, int width1, int width2, int seed)
    {
        var network = CnnZoo.Create(CnnArchitecture.SmallCnn, input, classes, [width1, width2]);
        var random = new Random(seed);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // Matrices and kernels use their own fan-in; a bias uses its layer's weight's; BatchNorm keeps (1, 0).
            string sibling = name.EndsWith(".bias", StringComparison.Ordinal) ? name[..^4] + "weight" : name;
            if (!parameters.TryGetValue(sibling, out var weight) || weight.dim() < 2)
            {
                continue;
            }

            double bound = 1 / Math.Sqrt(weight.numel() / weight.shape[0]);
            var values = new float[parameter.numel()];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(((2 * random.NextDouble()) - 1) * bound);
            }

            parameter.copy_(tensor(values, parameter.shape));
        }

        return network;
    }

    /// <summary>The weights of every conv of <paramref name="network"/>, in layer order.</summary>
    public static IReadOnlyList<Parameter> ConvWeights(CnnNetwork network) =>
        network.ConvLayers.Select(l => network.GetConv(l).weight!).ToArray();

    /// <summary>A copy of every parameter and buffer, by name, for exact comparisons.</summary>
    public static Dictionary<string, float[]> Snapshot(nn.Module module) =>
        module.state_dict().ToDictionary(p => p.Key, p => p.Value.to(ScalarType.Float32).data<float>().ToArray());
}
