namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>One row of the comparison table: a pruning ratio, its cost (shared by all methods) and each method's accuracy.</summary>
internal sealed record ResultRow(double Ratio, long Parameters, long Flops, double Speedup, IReadOnlyList<double> Accuracies);
