using System.Globalization;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Study;

/// <summary>One way of continuing training from the pretrained network: a regularizer and its rate.</summary>
/// <param name="Name">Text form, e.g. "ef:1e-11", "ef-folded:3e-13", "ef-targeted:3e-12", "l1:1e-2", "slimming:1e-4", "plain".</param>
/// <param name="Regularizer">The penalty.</param>
/// <param name="Rate">alpha_e for the forces, the L1 or slimming rate otherwise; 0 for plain.</param>
/// <param name="TargetPrunedFilters">For the folded force: act only on the filters the plan removes (the trainer's default) instead of every filter.</param>
internal sealed record StudyMethod(string Name, RegularizerKind Regularizer, double Rate, bool TargetPrunedFilters = false)
{
    /// <summary>
    /// Parses "plain", "l1[:rate]", "slimming[:rate]", "ef:alpha" (the paper's force), "ef-folded:alpha" (the folded force on
    /// every filter) or "ef-targeted:alpha" (the folded force on the filters the plan removes, the trainer's default).
    /// </summary>
    /// <exception cref="FormatException">The text is none of these; the message lists them.</exception>
    public static StudyMethod Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split(':', 2, StringSplitOptions.TrimEntries);
        double? rate = parts.Length == 2
            ? double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && double.IsFinite(r) && r >= 0 ? r
                : throw new FormatException($"--methods: '{text}': the rate after ':' must be a number at least 0, e.g. 1e-11.")
            : null;
        var (kind, fallback) = parts[0].ToLowerInvariant() switch
        {
            "plain" or "none" => (RegularizerKind.None, 0.0),
            "l1" => (RegularizerKind.L1, 1e-2),
            "slimming" => (RegularizerKind.NetworkSlimming, 1e-4),
            "ef" => (RegularizerKind.ElectrostaticForce, double.NaN),
            "ef-folded" or "ef-targeted" => (RegularizerKind.FoldedElectrostaticForce, double.NaN),
            _ => throw new FormatException($"--methods: unknown method '{text}'; expected plain, l1[:rate], slimming[:rate], ef:alpha, ef-folded:alpha or ef-targeted:alpha."),
        };
        double value = rate ?? (double.IsNaN(fallback) ? throw new FormatException($"--methods: '{text}' needs alpha_e, e.g. {parts[0]}:1e-11.") : fallback);
        string name = kind == RegularizerKind.None ? "plain" : FormattableString.Invariant($"{parts[0].ToLowerInvariant()}:{value:G3}");
        return new StudyMethod(name, kind, value, parts[0].Equals("ef-targeted", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Parses a comma-separated list.</summary>
    public static IReadOnlyList<StudyMethod> ParseList(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    /// <summary>Sets the regularizer and its rate on <paramref name="options"/>.</summary>
    public void Apply(ElectrostaticCnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Regularizer = Regularizer;
        options.TargetPrunedFilters = TargetPrunedFilters;
        switch (Regularizer)
        {
            case RegularizerKind.L1:
                options.L1Rate = Rate;
                break;
            case RegularizerKind.NetworkSlimming:
                options.SlimmingRate = Rate;
                break;
            case RegularizerKind.ElectrostaticForce or RegularizerKind.FoldedElectrostaticForce:
                options.ForceRate = Rate;
                break;
        }
    }
}
