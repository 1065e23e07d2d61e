using System.Globalization;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>Parsers for option values that are richer than a number; errors name the option and what was expected.</summary>
internal static class OptionParsing
{
    /// <summary>The sweep of the paper's Figure 2: 0, 0.1, ..., 0.9.</summary>
    public const string DefaultRatios = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9";

    /// <summary>
    /// Parses a list of pruning ratios: comma-separated values (<c>0,0.25,0.5</c>) or a range <c>start:stop:step</c>
    /// (<c>0:0.9:0.1</c>, stop included). Every ratio must lie in [0, 1); the list is returned sorted without duplicates.
    /// </summary>
    /// <exception cref="FormatException">A token is not a number, a ratio is outside [0, 1), or the range is empty.</exception>
    public static IReadOnlyList<double> ParseRatios(string text, string option = "--ratios")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException($"{option} is empty; expected ratios such as '{DefaultRatios}' or '0:0.9:0.1'.");
        }

        var ratios = new List<double>();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            var parts = text.Split(':');
            if (parts.Length != 3)
            {
                throw new FormatException($"{option} range '{text}' must have the form start:stop:step, e.g. '0:0.9:0.1'.");
            }

            var start = ParseNumber(parts[0], option);
            var stop = ParseNumber(parts[1], option);
            var step = ParseNumber(parts[2], option);
            if (step <= 0 || stop < start)
            {
                throw new FormatException($"{option} range '{text}' needs step > 0 and stop >= start.");
            }

            // Count steps in integers so 0:0.9:0.1 gives exactly 10 ratios despite binary rounding.
            var count = (int)Math.Floor(((stop - start) / step) + 1e-9) + 1;
            ratios.AddRange(Enumerable.Range(0, count).Select(i => Math.Round(start + (i * step), 10)));
        }
        else
        {
            ratios.AddRange(text.Split(',', StringSplitOptions.TrimEntries).Select(token => ParseNumber(token, option)));
        }

        foreach (var ratio in ratios)
        {
            if (ratio is < 0 or >= 1)
            {
                throw new FormatException(
                    string.Create(CultureInfo.InvariantCulture, $"{option}: ratio {ratio} is outside [0, 1); a ratio is the fraction of filters removed per layer."));
            }
        }

        return ratios.Distinct().Order().ToList();
    }

    /// <summary>
    /// Parses a <c>--model</c> value: <c>path</c> or <c>label=path</c>. Without a label the file name without extension is used.
    /// </summary>
    public static (string Label, string Path) ParseLabeledPath(string text, string option = "--model")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException($"{option} is empty; expected a model file, optionally labelled as 'label=path'.");
        }

        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator > 0 && !File.Exists(text))
        {
            var label = text[..separator].Trim();
            var path = text[(separator + 1)..].Trim();
            if (path.Length == 0)
            {
                throw new FormatException($"{option} '{text}' has a label but no path.");
            }

            return (label, path);
        }

        return (Path.GetFileNameWithoutExtension(text), text);
    }

    private static double ParseNumber(string token, string option) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"{option}: '{token}' is not a number.");
}
