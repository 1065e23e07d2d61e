using System.Globalization;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>
/// The regularizer kinds of the command line, each one of the library's <see cref="PruningRegularizer.OptionsBase"/>
/// classes (null is plain training), with the names tables and legends show.
/// </summary>
internal static class Regularizers
{
    /// <summary>What <c>--regularizer</c> accepts; the first is the library's default.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["folded", "electrostatic", "l1", "slimming", "none"];

    /// <summary>Default settings of <paramref name="kind"/>, one of <see cref="Kinds"/>; null for none.</summary>
    /// <exception cref="FormatException">Not a kind; the message lists them.</exception>
    public static PruningRegularizer.OptionsBase? Create(string kind, string option = "--regularizer") => kind.Trim().ToLowerInvariant() switch
    {
        "folded" => new FoldedForceRegularizer.Options(),
        "electrostatic" => new ElectrostaticForceRegularizer.Options(),
        "l1" => new L1Regularizer.Options(),
        "slimming" => new NetworkSlimmingRegularizer.Options(),
        "none" => null,
        _ => throw new FormatException($"{option}: unknown regularizer '{kind}'; expected one of {string.Join(", ", Kinds)}."),
    };

    /// <summary>The <see cref="Kinds"/> name of <paramref name="regularizer"/>.</summary>
    public static string KindOf(PruningRegularizer.OptionsBase? regularizer) => regularizer switch
    {
        null => "none",
        FoldedForceRegularizer.Options => "folded",
        ElectrostaticForceRegularizer.Options => "electrostatic",
        L1Regularizer.Options => "l1",
        NetworkSlimmingRegularizer.Options => "slimming",
        _ => throw Unknown(regularizer),
    };

    /// <summary>The method's name in tables and legends: plain, folded force, electrostatic force, L1-norm or network slimming.</summary>
    public static string Label(PruningRegularizer.OptionsBase? regularizer) => regularizer switch
    {
        null => "plain",
        FoldedForceRegularizer.Options => "folded force",
        ElectrostaticForceRegularizer.Options => "electrostatic force",
        L1Regularizer.Options => "L1-norm",
        NetworkSlimmingRegularizer.Options => "network slimming",
        _ => throw Unknown(regularizer),
    };

    /// <summary>
    /// <see cref="Label"/> with the rate, for runs with several models of one kind: e.g. "electrostatic force 1e-11",
    /// "folded force 3e-12, every filter", "L1-norm 1e-2".
    /// </summary>
    public static string LabelWithRate(PruningRegularizer.OptionsBase? regularizer) => regularizer switch
    {
        null => Label(null),
        FoldedForceRegularizer.Options folded => $"{Label(folded)} {Rate(folded.ForceRate)}{(folded.TargetPrunedFilters ? string.Empty : ", every filter")}",
        ElectrostaticForceRegularizer.Options force => $"{Label(force)} {Rate(force.ForceRate)}",
        L1Regularizer.Options l1 => $"{Label(l1)} {Rate(l1.Rate)}",
        NetworkSlimmingRegularizer.Options slimming => $"{Label(slimming)} {Rate(slimming.Rate)}",
        _ => throw Unknown(regularizer),
    };

    /// <summary>
    /// Parses one <c>--methods</c> entry, <c>kind[:rate]</c>: <c>plain</c>, <c>l1</c>, <c>slimming</c>,
    /// <c>electrostatic</c> (or <c>ef</c>), <c>folded</c> (or <c>ef-targeted</c>) or <c>folded-untargeted</c> (or
    /// <c>ef-folded</c>: the folded force on every filter); the rate is alpha_e for the forces, the L1 or slimming rate
    /// otherwise, and defaults to the library's.
    /// </summary>
    /// <exception cref="FormatException">Not a method, or the rate is not a number at least 0.</exception>
    public static PruningRegularizer.OptionsBase? ParseMethod(string text, string option = "--methods")
    {
        var parts = text.Trim().Split(':', 2, StringSplitOptions.TrimEntries);
        double? rate = parts.Length < 2 ? null
            : double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && double.IsFinite(r) && r >= 0 ? r
            : throw new FormatException($"{option}: '{text}': the rate after ':' must be a number at least 0, e.g. 1e-11.");
        switch (parts[0].ToLowerInvariant())
        {
            case "plain" or "none" when rate is null:
                return null;
            case "l1":
                return new L1Regularizer.Options { Rate = rate ?? new L1Regularizer.Options().Rate };
            case "slimming":
                return new NetworkSlimmingRegularizer.Options { Rate = rate ?? new NetworkSlimmingRegularizer.Options().Rate };
            case "electrostatic" or "ef":
                return new ElectrostaticForceRegularizer.Options { ForceRate = rate ?? new ElectrostaticForceRegularizer.Options().ForceRate };
            case "folded" or "ef-targeted" or "folded-untargeted" or "ef-folded":
                return new FoldedForceRegularizer.Options
                {
                    ForceRate = rate ?? new FoldedForceRegularizer.Options().ForceRate,
                    TargetPrunedFilters = parts[0].ToLowerInvariant() is "folded" or "ef-targeted",
                };
            default:
                throw new FormatException(
                    $"{option}: unknown method '{text}'; expected plain, l1[:rate], slimming[:rate], electrostatic[:alpha], folded[:alpha] or folded-untargeted[:alpha].");
        }
    }

    /// <summary>Parses a comma-separated <c>--methods</c> list (see <see cref="ParseMethod"/>).</summary>
    /// <exception cref="FormatException">An entry is not a method, or the list is empty.</exception>
    public static IReadOnlyList<PruningRegularizer.OptionsBase?> ParseMethods(string text, string option = "--methods")
    {
        var entries = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return entries.Length > 0 ? [.. entries.Select(e => ParseMethod(e, option))] : throw new FormatException($"{option} is empty; expected e.g. plain,l1,folded.");
    }

    private static string Rate(double rate) => rate.ToString("0.##e0", CultureInfo.InvariantCulture);

    private static NotSupportedException Unknown(PruningRegularizer.OptionsBase regularizer) =>
        new($"The samples do not know the regularizer {regularizer.GetType().FullName}.");
}
