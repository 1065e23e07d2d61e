using Microsoft.ML.ElectrostaticPruning.Models;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.TestSupport;

/// <summary>
/// Gives every BatchNorm of a network a random scale, shift and running statistics from torch's global RNG, so that
/// BatchNorm is not the identity (tests of pruning and folding, benchmarks of scoring). Shared source of the tests and
/// the benchmarks.
/// </summary>
internal static class RandomBatchNorm
{
    /// <summary>Randomizes the BatchNorms of <paramref name="network"/> and puts it in eval mode.</summary>
    public static void Apply(CnnNetwork network)
    {
        using (no_grad())
        {
            foreach (var (_, module) in network.named_modules())
            {
                if (module is TorchSharp.Modules.BatchNorm2d bn)
                {
                    long n = bn.weight!.shape[0];
                    bn.weight.copy_(rand(n) + 0.5);
                    bn.bias!.copy_(randn(n) * 0.2);
                    bn.running_mean!.copy_(randn(n) * 0.2);
                    bn.running_var!.copy_(rand(n) + 0.5);
                }
            }
        }

        network.eval();
    }
}
