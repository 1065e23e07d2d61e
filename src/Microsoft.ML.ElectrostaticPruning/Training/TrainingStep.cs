using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>One SGD step on cross-entropy plus an optional penalty: the unit the trainer repeats and benchmarks time.</summary>
internal static class TrainingStep
{
    /// <summary>What one step measured.</summary>
    /// <param name="Loss">Mean cross-entropy of the batch.</param>
    /// <param name="Penalty">Penalty value (0 without a regularizer).</param>
    /// <param name="Correct">Number of top-1 hits in the batch.</param>
    public readonly record struct Result(double Loss, double Penalty, long Correct);

    /// <summary>
    /// Forward, loss (+ penalty on <paramref name="weights"/>), backward and optimizer step, inside its own dispose scope
    /// so no tensor outlives the step.
    /// </summary>
    public static Result Run(CnnNetwork model, MomentumSgd optimizer, PruningRegularizer? regularizer, IReadOnlyList<Tensor> weights, Tensor inputs, Tensor labels)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        var logits = model.forward(inputs);
        var dataLoss = nn.functional.cross_entropy(logits, labels);
        var penalty = regularizer?.Penalty(weights);
        (penalty is null ? dataLoss : dataLoss.add(penalty, CachedScalars.One)).backward();
        optimizer.Step();
        return new Result(ValueOf(dataLoss), penalty is null ? 0 : ValueOf(penalty), logits.argmax(1).eq(labels).sum().item<long>());
    }

    /// <summary>
    /// One sandwich step (<see cref="AnyRatioTrainingOptions"/>): the full network's loss (+ penalty) and the loss of every
    /// sub-network of <paramref name="subNetworks"/> are backpropagated into the same gradients, then one optimizer step.
    /// Each sub-network's loss is scaled by <paramref name="subNetworkWeight"/> (<see cref="AnyRatioTrainingOptions.SubNetworkWeight"/>).
    /// The result reports the full network's loss and hits.
    /// </summary>
    public static Result RunSandwich(
        CnnNetwork model, MomentumSgd optimizer, PruningRegularizer? regularizer, IReadOnlyList<Tensor> weights, Tensor inputs, Tensor labels,
        IEnumerable<SubNetwork> subNetworks, double distillationWeight, double subNetworkWeight = 1)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        var logits = model.forward(inputs);
        var dataLoss = nn.functional.cross_entropy(logits, labels);
        var penalty = regularizer?.Penalty(weights);
        (penalty is null ? dataLoss : dataLoss.add(penalty, CachedScalars.One)).backward();
        var teacher = nn.functional.softmax(logits.detach(), 1);
        using var soft = distillationWeight.ToScalar();
        foreach (var subNetwork in subNetworks)
        {
            using var subScope = NewDisposeScope();
            using (subNetwork.Activate())
            {
                var sub = model.forward(inputs);
                var hard = nn.functional.cross_entropy(sub, labels);
                var distilled = teacher.mul(nn.functional.log_softmax(sub, 1)).sum(1).mean().neg();
                var subLoss = hard.Times(1 - distillationWeight).add(distilled, soft);
                (subNetworkWeight == 1 ? subLoss : subLoss.Times(subNetworkWeight)).backward();
            }
        }

        optimizer.Step();
        return new Result(ValueOf(dataLoss), penalty is null ? 0 : ValueOf(penalty), logits.argmax(1).eq(labels).sum().item<long>());
    }

    // The value of a 0-dimensional tensor through its data (Tensor.ToDouble reads it through a temporary Scalar).
    private static double ValueOf(Tensor scalar) => scalar.to(ScalarType.Float64).item<double>();
}
