using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// The text form of <see cref="PruningPlan"/>: a ratio (<c>0.5</c>), a per-stage list (<c>[0, 0.52, 0.52, 0.52, 0]</c>) or a
/// layer map (<c>[0:0, 1-15:0.65]</c>), the paper's sweep of each network (<c>sweep 0.5</c>) or a FLOPs speedup (<c>speedup 3</c>), then optionally <c>skip 1.0,2.0</c>, <c>round 8</c>, <c>rank l1|folded</c> and
/// <c>compensate</c>, in that order. <see cref="PruningPlan.ToString"/> writes the same form.
/// </summary>
internal static class PruningPlanParser
{
    private const string Examples = "a ratio such as 0.5, a per-stage list such as [0, 0.52, 0.52, 0.52, 0], a layer map such as [0:0, 1-15:0.65], the paper's sweep of each network such as 'sweep 0.5' or a FLOPs speedup such as 'speedup 3', optionally followed by 'skip 1.0,2.0' and then by 'round 8'";

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">The text is not a plan; the message names the offending token and what was expected.</exception>
    public static PruningPlan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string body = text.Trim();
        bool compensate = false;
        int compensateAt = body.IndexOf("compensate", StringComparison.OrdinalIgnoreCase);
        if (compensateAt >= 0)
        {
            if (body[(compensateAt + 10)..].Trim().Length > 0)
            {
                throw new FormatException($"Pruning plan '{text}': 'compensate' must be written last.");
            }

            compensate = true;
            body = body[..compensateAt].Trim();
        }

        var ranking = FilterRanking.L1Norm;
        int rankAt = body.IndexOf("rank", StringComparison.OrdinalIgnoreCase);
        if (rankAt >= 0)
        {
            string token = body[(rankAt + 4)..].Trim();
            ranking = token.ToLowerInvariant() switch
            {
                "l1" => FilterRanking.L1Norm,
                "folded" => FilterRanking.FoldedL1Norm,
                _ => throw new FormatException($"Pruning plan '{text}': 'rank {token}' must be 'rank l1' or 'rank folded', written last."),
            };
            body = body[..rankAt].Trim();
        }

        int multiple = 1;
        int roundAt = body.IndexOf("round", StringComparison.OrdinalIgnoreCase);
        if (roundAt >= 0)
        {
            string token = body[(roundAt + 5)..].Trim();
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out multiple) || multiple < 1)
            {
                throw new FormatException($"Pruning plan '{text}': 'round {token}' needs one positive integer (the filter multiple, e.g. 'round 8'), written last.");
            }

            body = body[..roundAt].Trim();
        }

        string? skip = null;
        int skipAt = body.IndexOf("skip", StringComparison.OrdinalIgnoreCase);
        if (skipAt >= 0)
        {
            skip = body[(skipAt + 4)..];
            body = body[..skipAt].Trim();
        }

        if (body.Length == 0)
        {
            throw new FormatException($"Pruning plan '{text}' has no ratios; expected {Examples}.");
        }

        var plan = body[0] == '[' ? ParseList(text, body)
            : body.StartsWith("speedup", StringComparison.OrdinalIgnoreCase) ? ParseSpeedup(text, body[7..].Trim().TrimEnd('x', 'X'))
            : body.StartsWith("sweep", StringComparison.OrdinalIgnoreCase) ? PruningPlan.PaperSweep(ParseRatio(text, body[5..].Trim(), body))
            : new PruningPlan(PruningPlan.PlanKind.Uniform, ParseRatio(text, body, body), [], [], []);
        plan = skip is null ? plan : plan.WithSkipList(skip);
        plan = multiple == 1 ? plan : plan.WithChannelMultiple(multiple);
        return plan.WithRanking(ranking).WithCompensation(compensate);
    }

    private static PruningPlan ParseSpeedup(string text, string token) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double speedup) && double.IsFinite(speedup) && speedup >= 1
            ? PruningPlan.ForSpeedup(speedup)
            : throw new FormatException($"Pruning plan '{text}': 'speedup {token}' needs a FLOPs speedup of at least 1, e.g. 'speedup 3'.");

    private static PruningPlan ParseList(string text, string body)
    {
        if (body[^1] != ']')
        {
            throw new FormatException($"Pruning plan '{text}': expected ']' at the end of the list.");
        }

        string[] tokens = [.. body[1..^1].Split(',').Select(t => t.Trim())];
        if (tokens.Any(t => t.Length == 0))
        {
            throw new FormatException($"Pruning plan '{text}': empty entry in the list; expected {Examples}.");
        }

        bool layerMap = tokens.Any(t => t.Contains(':'));
        if (!layerMap)
        {
            return new PruningPlan(PruningPlan.PlanKind.Stages, 0, [.. tokens.Select(t => ParseRatio(text, t, t))], [], []);
        }

        var ranges = new List<PruningPlan.LayerRange>();
        foreach (string token in tokens)
        {
            string[] parts = token.Split(':');
            if (parts.Length != 2)
            {
                throw new FormatException($"Pruning plan '{text}': entry '{token}' is not 'layer:ratio' or 'first-last:ratio' (a layer map cannot be mixed with a per-stage list).");
            }

            string[] bounds = parts[0].Split('-');
            int first = 0, last = 0;
            if (bounds.Length > 2 || !TryParseIndex(bounds[0], out first) || (bounds.Length == 2 ? !TryParseIndex(bounds[1], out last) : !TryParseIndex(bounds[0], out last)))
            {
                throw new FormatException($"Pruning plan '{text}': '{parts[0].Trim()}' in entry '{token}' is not a layer index or an inclusive range 'first-last' of non-negative integers.");
            }

            if (last < first)
            {
                throw new FormatException($"Pruning plan '{text}': range '{parts[0].Trim()}' in entry '{token}' ends before it starts.");
            }

            var range = new PruningPlan.LayerRange(first, last, ParseRatio(text, parts[1].Trim(), token));
            var overlap = ranges.FirstOrDefault(r => r.First <= range.Last && range.First <= r.Last);
            if (overlap is not null)
            {
                throw new FormatException($"Pruning plan '{text}': entry '{token}' overlaps entry '{overlap}'; each layer may be given once.");
            }

            ranges.Add(range);
        }

        return new PruningPlan(PruningPlan.PlanKind.Layers, 0, [], [.. ranges], []);
    }

    private static double ParseRatio(string text, string token, string entry)
    {
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio))
        {
            throw new FormatException($"Pruning plan '{text}': '{token}' in entry '{entry}' is not a number; expected a ratio in [0, 1) such as 0.52.");
        }

        if (!(ratio >= 0 && ratio < 1))
        {
            throw new FormatException($"Pruning plan '{text}': ratio '{token}' in entry '{entry}' is outside [0, 1).");
        }

        return ratio;
    }

    internal static bool TryParseIndex(string token, out int value) =>
        int.TryParse(token.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
