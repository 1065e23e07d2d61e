using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// Takes the <c>num_batches_tracked</c> counters out of every BatchNorm of a model for the SGD steps of one epoch and puts
/// them back, advanced by the number of steps (<see cref="Restore"/>; <see cref="Dispose"/> puts them back unadvanced
/// when an epoch ends in an exception).
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>BatchNorm.forward</c> counts batches with <c>num_batches_tracked.add_(1)</c>, and
/// <c>Tensor.add_(Scalar, Scalar)</c> passes the handles of two temporary <c>Scalar</c>s to native code without keeping
/// them alive: when a garbage collection runs on another thread during that call (a progress display, ML.NET's cursors),
/// the finalizer frees a Scalar libtorch is still reading, and training fails at random with "Unknown scalar type" or
/// "For integral input tensors, argument alpha must not be a floating point number" (seen in long runs of the study
/// command). With momentum set (0.1 here) the counter has no effect on any output, so the steps run without it and the
/// same count is restored afterwards; state dicts, checkpoints and saved models see the usual values.
/// </remarks>
internal sealed class BatchNormCounters : IDisposable
{
    private readonly List<(BatchNorm Module, long Count)> _counters = [];

    private BatchNormCounters(nn.Module model)
    {
        foreach (var module in model.modules().OfType<BatchNorm>())
        {
            if (module.num_batches_tracked is { } counter && module.momentum != 0)
            {
                _counters.Add((module, counter.item<long>()));
                module.num_batches_tracked = null;
            }
        }
    }

    /// <summary>Suspends the counters of <paramref name="model"/>.</summary>
    public static BatchNormCounters Suspend(nn.Module model) => new(model ?? throw new ArgumentNullException(nameof(model)));

    /// <summary>Restores every counter, advanced by <paramref name="steps"/> training-mode forward passes; later calls do nothing.</summary>
    public void Restore(int steps)
    {
        foreach (var (module, count) in _counters)
        {
            var device = module.running_mean?.device ?? CPU;
            module.num_batches_tracked = tensor(count + steps, ScalarType.Int64, device);
        }

        _counters.Clear();
    }

    /// <summary>Restores the counters unadvanced if <see cref="Restore"/> has not run.</summary>
    public void Dispose() => Restore(0);
}
