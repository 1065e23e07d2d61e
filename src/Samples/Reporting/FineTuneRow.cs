namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>One model pruned at a ratio and fine-tuned: accuracy before and after fine-tuning.</summary>
/// <param name="Method">Training method.</param>
/// <param name="Ratio">Pruning ratio.</param>
/// <param name="Speedup">FLOPs speedup of the pruned network.</param>
/// <param name="Epochs">Fine-tuning epochs.</param>
/// <param name="Before">Top-1 accuracy pruned, before fine-tuning.</param>
/// <param name="After">Top-1 accuracy after fine-tuning.</param>
/// <param name="Seconds">Wall-clock seconds of the fine-tuning.</param>
internal sealed record FineTuneRow(string Method, double Ratio, double Speedup, int Epochs, double Before, double After, double Seconds);
