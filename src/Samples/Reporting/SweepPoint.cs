namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>One model pruned at one ratio, without fine-tuning: its size, cost and top-1 accuracy.</summary>
/// <param name="Ratio">Pruning ratio applied to every prunable layer, in [0, 1).</param>
/// <param name="Parameters">Conv and Linear weights and biases of the pruned network.</param>
/// <param name="Flops">FLOPs of one forward pass (GReg's unit: 2 x multiply-accumulates).</param>
/// <param name="Speedup">Dense FLOPs / pruned FLOPs.</param>
/// <param name="Accuracy">Top-1 accuracy on the test set, in [0, 1].</param>
internal sealed record SweepPoint(double Ratio, long Parameters, long Flops, double Speedup, double Accuracy);
