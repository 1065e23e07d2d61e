using TorchSharp;
using TorchSharp.Modules;
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
    public static Result Run(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, IWeightRegularizer? regularizer, IReadOnlyList<Tensor> weights, Tensor inputs, Tensor labels)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var logits = model.forward(inputs);
        var dataLoss = nn.functional.cross_entropy(logits, labels);
        var penalty = regularizer?.Penalty(weights);
        (penalty is null ? dataLoss : dataLoss + penalty).backward();
        optimizer.step();
        return new Result(dataLoss.ToDouble(), penalty?.ToDouble() ?? 0, logits.argmax(1).eq(labels).sum().item<long>());
    }
}
