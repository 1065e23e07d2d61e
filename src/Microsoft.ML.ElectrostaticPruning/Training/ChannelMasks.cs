using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// A sub-network of the shared weights for one forward pass of sandwich training: for each prunable conv, which filters a
/// pruning at some ratio keeps. The BatchNorm after such a conv multiplies its output by a 0/1 channel mask, and puts in
/// a removed channel what pruning leaves there (0, or for a channel feeding the classifier the expected ReLU output
/// that compensation adds to its bias when the plan compensates), so the pass computes what the physically pruned network computes. While a mask set is active no BatchNorm updates its running
/// statistics or its counter (the pass normalizes with its batch statistics): the statistics stay those of the full
/// network. Thread-local, set for one pass by <see cref="Apply"/>.
/// </summary>
internal static class ChannelMasks
{
    [ThreadStatic]
    private static Dictionary<BatchNorm2d, (Tensor Mask, Tensor? Fill)>? _active;

    /// <summary>Whether a sub-network pass is running on this thread.</summary>
    public static bool IsActive => _active is not null;

    /// <summary>Makes <paramref name="masks"/> the sub-network of the passes until the returned scope is disposed.</summary>
    public static IDisposable Apply(Dictionary<BatchNorm2d, (Tensor Mask, Tensor? Fill)> masks)
    {
        if (_active is not null)
        {
            throw new InvalidOperationException("A sub-network pass is already running on this thread.");
        }

        _active = masks;
        return new Scope();
    }

    /// <summary>The mask (shape [1, C, 1, 1]) and fill of <paramref name="batchNorm"/>, when its conv is pruned in the active pass.</summary>
    public static bool TryGet(BatchNorm2d batchNorm, out (Tensor Mask, Tensor? Fill) mask)
    {
        if (_active is { } masks && masks.TryGetValue(batchNorm, out mask))
        {
            return true;
        }

        mask = default;
        return false;
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => _active = null;
    }
}
