using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// Measures <see cref="ModelComplexity"/> on the real network: forward hooks on every Conv2d and Linear record the
/// output sizes of one forward pass over a single zero image of the network's input shape.
/// </summary>
internal static class ComplexityCounter
{
    /// <summary>Counts parameters and per-image MACs of <paramref name="network"/> without changing it (eval mode, no grad, training flag restored).</summary>
    public static ModelComplexity Measure(CnnNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        long parameters = 0, macs = 0;
        var removeHooks = new List<Action>();
        foreach (var (_, module) in network.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    parameters += conv.weight!.numel() + (conv.bias?.numel() ?? 0);
                    var convHook = conv.register_forward_hook((m, input, output) =>
                    {
                        macs += conv.weight!.numel() * output.shape[^2] * output.shape[^1] / conv.groups;
                        return output;
                    });
                    removeHooks.Add(convHook.remove);
                    break;
                case Linear linear:
                    parameters += linear.weight!.numel() + (linear.bias?.numel() ?? 0);
                    var linearHook = linear.register_forward_hook((m, input, output) =>
                    {
                        macs += linear.weight!.numel();
                        return output;
                    });
                    removeHooks.Add(linearHook.remove);
                    break;
            }
        }

        bool wasTraining = network.training;
        try
        {
            network.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var shape = network.InputShape;
            var device = network.parameters().First().device;
            network.call(zeros(1, shape.Channels, shape.Height, shape.Width, device: device));
        }
        finally
        {
            network.train(wasTraining);
            removeHooks.ForEach(remove => remove());
        }

        return new ModelComplexity(parameters, macs);
    }
}
