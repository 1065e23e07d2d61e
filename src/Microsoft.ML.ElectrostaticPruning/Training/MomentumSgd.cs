using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// Stochastic gradient descent with momentum and weight decay, PyTorch's <c>torch.optim.SGD</c> update (no dampening, no
/// Nesterov) computed with the same tensor operations in the same order, so results are bit-identical to it:
/// <c>g = grad + lambda w</c>; <c>b = g</c> at the first step, then <c>b = mu b + g</c>; <c>w = w - eta b</c>
/// (<c>b = g</c> when <c>mu = 0</c>).
/// </summary>
/// <remarks>
/// TorchSharp's own SGD passes its rates to libtorch as temporary Scalars that a garbage collection on another thread can
/// free during the call (see <see cref="CachedScalars"/>); this one keeps each Scalar alive for the whole step. It also
/// exposes its momentum buffers by parameter, which checkpoints save and which channel reordering permutes with the
/// weights.
/// </remarks>
internal sealed class MomentumSgd : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor?[] _momentum;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update, in a fixed order (the order of the checkpoint's buffers).</param>
    /// <param name="learningRate">eta, finite and at least 0.</param>
    /// <param name="momentum">mu, in [0, 1).</param>
    /// <param name="weightDecay">lambda, finite and at least 0.</param>
    public MomentumSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        _momentum = new Tensor?[_parameters.Length];
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
    }

    /// <summary>eta of the next step; the schedule and warm-up set it before each step.</summary>
    public double LearningRate { get; set; }

    /// <summary>mu.</summary>
    public double Momentum { get; }

    /// <summary>lambda.</summary>
    public double WeightDecay { get; }

    /// <summary>The parameters, in the order of <see cref="MomentumBuffer"/>.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The momentum buffer of parameter <paramref name="index"/> (null before its first step or without momentum).</summary>
    public Tensor? MomentumBuffer(int index) => _momentum[index];

    /// <summary>Replaces the momentum buffer of parameter <paramref name="index"/> (the optimizer takes ownership; null clears it).</summary>
    public void SetMomentumBuffer(int index, Tensor? buffer)
    {
        var old = _momentum[index];
        _momentum[index] = buffer?.DetachFromDisposeScope();
        if (!ReferenceEquals(old, buffer))
        {
            old?.Dispose();
        }
    }

    /// <summary>Sets every gradient to zero in place (as <c>optimizer.zero_grad()</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            using var grad = parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var decay = WeightDecay.ToScalar();
        using var momentum = Momentum.ToScalar();
        using var step = (-LearningRate).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            if (WeightDecay != 0)
            {
                grad = grad.add(parameter, decay);
            }

            if (Momentum != 0)
            {
                var buffer = _momentum[i];
                if (buffer is null)
                {
                    _momentum[i] = buffer = grad.clone().detach().DetachFromDisposeScope();
                }
                else
                {
                    buffer.mul_(momentum).add_(grad, CachedScalars.One);
                }

                grad = buffer;
            }

            parameter.add_(grad, step);
        }
    }

    /// <summary>Frees the momentum buffers.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _momentum.Length; i++)
        {
            _momentum[i]?.Dispose();
            _momentum[i] = null;
        }
    }
}
