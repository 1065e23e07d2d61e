namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>One row of a pruning sweep (the data of the paper's Figure 2): a ratio, the pruned network's cost, its top-1 accuracy without fine-tuning.</summary>
/// <param name="Ratio">Pruning ratio in [0, 1).</param>
/// <param name="Plan">The plan that ratio produced (e.g. <c>[0:0, 1-15:0.5]</c> for VGG-19).</param>
/// <param name="Complexity">Parameters and MACs of the pruned network.</param>
/// <param name="Speedup">Dense FLOPs / pruned FLOPs.</param>
/// <param name="Top1Accuracy">Top-1 accuracy on the evaluation set, in [0, 1].</param>
public sealed record PruningSweepRow(double Ratio, PruningPlan Plan, ModelComplexity Complexity, double Speedup, double Top1Accuracy)
{
    /// <summary>Conv + Linear weights and biases of the pruned network.</summary>
    public long Parameters => Complexity.Parameters;

    /// <summary>FLOPs (2 × MAC) of the pruned network for one image.</summary>
    public long Flops => Complexity.Flops;

    /// <summary>Multiply-accumulates of the pruned network for one image.</summary>
    public long MultiplyAccumulates => Complexity.MultiplyAccumulates;
}
