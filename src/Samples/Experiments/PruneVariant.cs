using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>How a sweep prunes a trained model: the filter ranking, and whether the removed channels are compensated.</summary>
/// <param name="Name">l1 (the paper's raw-L1 ranking), folded (BatchNorm-folded ranking) or folded+comp (folded, compensated: the trainer's default).</param>
/// <param name="Ranking">The ranking.</param>
/// <param name="Compensate">Whether the removed channels' expected output is compensated.</param>
/// <param name="Recalibrate">Whether each pruned network's BatchNorm statistics are re-estimated on training images first (<c>+recal</c>).</param>
internal sealed record PruneVariant(string Name, FilterRanking Ranking, bool Compensate, bool Recalibrate = false)
{
    private static readonly PruneVariant[] All =
    [
        new("l1", FilterRanking.L1Norm, false),
        new("folded", FilterRanking.FoldedL1Norm, false),
        new("folded+comp", FilterRanking.FoldedL1Norm, true),
    ];

    /// <summary>Parses a comma-separated list of variant names.</summary>
    /// <exception cref="FormatException">A name is none of the variants.</exception>
    public static IReadOnlyList<PruneVariant> ParseList(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name =>
            All.FirstOrDefault(v => v.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new FormatException($"Pruning variant '{name}' is none of {string.Join(", ", All.Select(v => v.Name))}."))];

    /// <summary>
    /// The pruning <paramref name="regularizer"/> is meant for, among <paramref name="variants"/>: the targeted folded force the
    /// trainer's default way (folded+comp), the other BatchNorm-based methods by the folded norm, the rest by the raw norm;
    /// the first variant when none of those is there.
    /// </summary>
    public static PruneVariant NaturalFor(PruningRegularizer.OptionsBase? regularizer, IReadOnlyList<PruneVariant> variants)
    {
        string[] preferred = regularizer switch
        {
            FoldedForceRegularizer.Options { TargetPrunedFilters: true } => ["folded+comp", "folded"],
            FoldedForceRegularizer.Options or NetworkSlimmingRegularizer.Options => ["folded", "folded+comp"],
            _ => ["l1"],
        };
        return preferred.Select(name => variants.FirstOrDefault(v => v.Name == name)).FirstOrDefault(v => v is not null) ?? variants[0];
    }

    /// <summary>This variant with BatchNorm recalibration (<c>Prune(plan, calibrationData)</c>), named <c>&lt;name&gt;+recal</c>.</summary>
    public PruneVariant WithRecalibration() => Recalibrate ? this : this with { Name = Name + "+recal", Recalibrate = true };

    /// <summary><paramref name="plan"/> ranked and compensated this way.</summary>
    public PruningPlan Apply(PruningPlan plan) => plan.WithRanking(Ranking).WithCompensation(Compensate);
}
