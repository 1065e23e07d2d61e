using Microsoft.ML.ElectrostaticPruning.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>
/// Seeded zoo networks whose BatchNorms look trained: a random scale and shift, and running statistics of one batch of
/// random images, so that activations and logits stay of order 1 (random statistics give logits in the hundreds, where
/// an absolute tolerance of 1e-4 would be below float32 resolution).
/// </summary>
internal static class CalibratedNetworks
{
    /// <summary>The network in eval mode.</summary>
    public static CnnNetwork Create(CnnArchitecture architecture, ImageShape shape, int classes, int seed)
    {
        torch.manual_seed(seed);
        var network = CnnZoo.Create(architecture, shape, classes);
        TestSupport.RandomBatchNorm.Apply(network);
        var batchNorms = network.modules().OfType<BatchNorm2d>().ToList();
        foreach (var bn in batchNorms)
        {
            bn.momentum = 1.0;
        }

        network.train();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            network.call(rand(16, shape.Channels, shape.Height, shape.Width));
        }

        foreach (var bn in batchNorms)
        {
            bn.momentum = 0.1;
        }

        network.eval();
        return network;
    }
}
