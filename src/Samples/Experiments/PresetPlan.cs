namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>One row of the paper's Table 2: a pruning plan and the speedup the paper reports.</summary>
/// <param name="Plan">Pruning plan text (PruningPlan.Parse syntax, skip list included).</param>
/// <param name="PaperSpeedup">FLOPs speedup printed in Table 2, or <see langword="null"/> when the paper gives none.</param>
internal sealed record PresetPlan(string Plan, double? PaperSpeedup);
