using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// Re-estimates the BatchNorm running statistics of a (pruned) network from images, with forward passes only: what
/// Universally Slimmable Networks and Once-for-All do for every width they deploy. Pruning removes filters a later
/// BatchNorm's statistics were measured with (through the shortcuts and the next layer's input), so the stored
/// statistics no longer describe the narrower network's activations; new ones do.
/// </summary>
/// <remarks>
/// For every BatchNorm: running mean 0, running variance 1, counter 0, momentum null (PyTorch's cumulative moving average:
/// after t batches the statistics are the mean of the t batch statistics), train mode for the BatchNorms only (nothing
/// else in the zoo behaves differently in train mode), no gradients, no labels. The momenta and the mode are restored
/// afterwards. Deterministic: the images are a seeded sample of the data, read in a fixed order.
/// </remarks>
internal static class BatchNormCalibration
{
    /// <summary>Images used when the caller does not say: about 2,000, as Once-for-All does (US-Nets: 5 x 1,024).</summary>
    public const int DefaultImages = 2000;

    /// <summary>Images per forward pass.</summary>
    public const int BatchSize = 200;

    /// <summary>Recalibrates <paramref name="network"/> (not BatchNorm-folded) in place on up to <paramref name="images"/> images of <paramref name="data"/>.</summary>
    /// <param name="network">The trainable network; its weights are untouched, only the running statistics change.</param>
    /// <param name="data">The calibration images (labels unused).</param>
    /// <param name="images">How many images to use, at least 1; all of them when the data has fewer.</param>
    /// <param name="seed">Seed of the sample drawn when the data has more images than <paramref name="images"/>.</param>
    /// <returns>The number of images used.</returns>
    public static int Recalibrate(CnnNetwork network, ImageDataset data, int images, int seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        if (network.IsBatchNormFolded)
        {
            throw new ArgumentException("A BatchNorm-folded network has no statistics to recalibrate; calibrate the trainable network.", nameof(network));
        }

        int[] order = data.Count <= images
            ? [.. Enumerable.Range(0, data.Count)]
            : [.. Training.BatchAssembler.Shuffle(data.Count, new Random(seed)).Take(images).Order()];
        var batchNorms = network.modules().OfType<BatchNorm2d>().ToList();
        var momenta = batchNorms.Select(b => b.momentum).ToList();
        bool wasTraining = network.training;
        var device = network.parameters().First().device;
        try
        {
            using (no_grad())
            {
                // In-place ops hand back tensor objects of their own (on the same storage): the scope frees those, not the buffers.
                using var resetScope = NewDisposeScope();
                foreach (var batchNorm in batchNorms)
                {
                    batchNorm.running_mean!.zero_();
                    batchNorm.running_var!.fill_(Runtime.CachedScalars.One);
                    batchNorm.num_batches_tracked!.zero_();
                    batchNorm.momentum = null;
                }

                network.eval();
                foreach (var batchNorm in batchNorms)
                {
                    batchNorm.train();
                }

                var assembler = new Training.BatchAssembler(data, BatchSize);
                for (int start = 0; start < order.Length; start += BatchSize)
                {
                    using var scope = NewDisposeScope();
                    var (inputs, _) = assembler.Assemble(order.AsSpan(start, Math.Min(BatchSize, order.Length - start)), null, device);
                    network.forward(inputs);
                }
            }
        }
        finally
        {
            for (int i = 0; i < batchNorms.Count; i++)
            {
                batchNorms[i].momentum = momenta[i];
            }

            network.train(wasTraining);
        }

        return order.Length;
    }
}
