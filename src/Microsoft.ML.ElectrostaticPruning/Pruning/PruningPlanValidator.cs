namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>Whether a <see cref="PruningPlan"/> fits a network; every message names the plan, the network and the entry that does not fit.</summary>
internal static class PruningPlanValidator
{
    /// <summary>Checks that <paramref name="plan"/> fits <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException">The plan does not fit (stage count, unknown layer index, pruned classifier, residual-locked layer, skip entry matching nothing).</exception>
    public static void Validate(PruningPlan plan, CnnNetwork network)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(network);
        string model = network.Architecture.ToString();
        int classifier = network.ClassifierLayerIndex;
        if (plan.Kind == PruningPlan.PlanKind.Stages)
        {
            if (network.ResidualStageCount == 0)
            {
                throw new ArgumentException($"Plan {plan}: a per-stage list applies to residual networks; {model} is not one. Use a layer map such as [0:0, 1-{classifier - 1}:0.5] or a single ratio.");
            }

            if (plan.StageRatios.Count != network.StageListLength)
            {
                throw new ArgumentException($"Plan {plan} has {plan.StageRatios.Count} stage ratios but {model} needs {network.StageListLength}: stem, {network.ResidualStageCount} residual stages, classifier.");
            }

            if (plan.StageRatios[^1] > 0)
            {
                throw new ArgumentException($"Plan {plan}: the last entry is the classifier of {model}; its outputs are the class scores and cannot be pruned, so it must be 0.");
            }

            for (int stage = 0; stage < plan.StageRatios.Count - 1; stage++)
            {
                if (plan.StageRatios[stage] > 0 && !network.ConvLayers.Any(l => l.Stage == stage && l.IsPrunable))
                {
                    throw new ArgumentException($"Plan {plan}: stage {stage} of {model} has no prunable conv (its convs feed residual sums), so its ratio must be 0.");
                }
            }
        }

        if (plan.Kind == PruningPlan.PlanKind.Layers)
        {
            foreach (var range in plan.LayerRanges)
            {
                if (range.Last > classifier)
                {
                    throw new ArgumentException($"Plan {plan}: unknown layer index {range.Last} in '{range}'; {model} has layers 0-{classifier} (convs 0-{classifier - 1}, classifier {classifier}).");
                }

                if (range.Ratio > 0 && range.Contains(classifier))
                {
                    throw new ArgumentException($"Plan {plan}: '{range}' prunes layer {classifier}, the classifier of {model}; its outputs are the class scores, so give it ratio 0.");
                }

                if (range.Ratio > 0 && range.First == range.Last && !network.GetLayer(range.First).IsPrunable)
                {
                    var layer = network.GetLayer(range.First);
                    string why = layer.IsResidualLocked ? "it is residual-locked (its output joins a residual sum)" : "it has a single filter";
                    throw new ArgumentException($"Plan {plan}: layer {range.First} ({layer.Name}) of {model} cannot be pruned: {why}.");
                }
            }
        }

        foreach (var (stage, block) in plan.SkippedPairs)
        {
            if (!network.ConvLayers.Any(l => l.Stage == stage && l.Block == block))
            {
                throw new ArgumentException($"Plan {plan}: skip entry {stage}.{block} matches no block of {model} (stages {network.ConvLayers.Min(l => l.Stage)}-{network.ConvLayers.Max(l => l.Stage)}).");
            }
        }
    }
}
