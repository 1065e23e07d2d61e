namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>One row of the paper's Table 2: a pruning plan, its optional skip list and the speedup the paper reports.</summary>
/// <param name="Plan">Pruning plan text (PruningPlan.Parse syntax).</param>
/// <param name="Skip">ResNet blocks never pruned (stage.block prefixes), or <see langword="null"/>.</param>
/// <param name="PaperSpeedup">FLOPs speedup printed in Table 2, or <see langword="null"/> when the paper gives none.</param>
internal sealed record PresetPlan(string Plan, string? Skip, double? PaperSpeedup);
