using System.Globalization;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>
/// Turns option text into values and the library's types. Every error is a <see cref="FormatException"/> whose message
/// starts with the option and says what is accepted.
/// </summary>
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

            var (start, stop, step) = (ParseNumber(parts[0], option), ParseNumber(parts[1], option), ParseNumber(parts[2], option));
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

        var outside = ratios.Where(r => r is < 0 or >= 1).ToList();
        if (outside.Count > 0)
        {
            throw new FormatException(
                string.Create(CultureInfo.InvariantCulture, $"{option}: ratio {outside[0]} is outside [0, 1); a ratio is the fraction of filters removed per layer."));
        }

        return [.. ratios.Distinct().Order()];
    }

    /// <summary>Parses a <c>--model</c> value: <c>path</c> or <c>label=path</c>. Without a label the file name without extension is used.</summary>
    /// <exception cref="FormatException">The text is empty, or has a label but no path.</exception>
    public static (string Label, string Path) ParseLabeledPath(string text, string option = "--model")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException($"{option} is empty; expected a model file, optionally labelled as 'label=path'.");
        }

        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator > 0 && !File.Exists(text))
        {
            var (label, path) = (text[..separator].Trim(), text[(separator + 1)..].Trim());
            return path.Length > 0 ? (label, path) : throw new FormatException($"{option} '{text}' has a label but no path.");
        }

        return (Path.GetFileNameWithoutExtension(text), text);
    }

    /// <summary>Parses comma-separated seeds, e.g. <c>1,2</c>.</summary>
    /// <exception cref="FormatException">A token is not a non-negative integer, or the list is empty.</exception>
    public static IReadOnlyList<int> ParseSeeds(string text, string option = "--seeds")
    {
        var tokens = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return tokens.Length > 0 && tokens.All(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? [.. tokens.Select(t => int.Parse(t, CultureInfo.InvariantCulture))]
            : throw new FormatException($"{option}: '{text}' must be a comma-separated list of seeds (integers 0 or more), e.g. 1,2.");
    }

    /// <summary>Parses a network name; case, dashes and underscores are ignored ("resnet-56" is <see cref="CnnArchitecture.ResNet56"/>).</summary>
    /// <exception cref="FormatException">No network has that name; the message lists them.</exception>
    public static CnnArchitecture ParseArchitecture(string text, string option = "--architecture")
    {
        foreach (var architecture in Enum.GetValues<CnnArchitecture>())
        {
            if (Normalize(architecture.ToString()) == Normalize(text))
            {
                return architecture;
            }
        }

        throw new FormatException($"{option}: unknown network '{text}'; expected one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}.");
    }

    /// <summary>Parses paper or exact.</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static ForceGradientMode ParseGradientMode(string text, string option = "--gradient-mode") => Normalize(text) switch
    {
        "paper" => ForceGradientMode.Paper,
        "exact" => ForceGradientMode.Exact,
        _ => throw new FormatException($"{option}: unknown gradient mode '{text}'; expected paper or exact."),
    };

    /// <summary>Parses auto, cpu or cuda.</summary>
    /// <exception cref="FormatException">None of these.</exception>
    public static TrainingDevice ParseDevice(string text, string option = "--device") => Normalize(text) switch
    {
        "auto" => TrainingDevice.Auto,
        "cpu" => TrainingDevice.Cpu,
        "cuda" => TrainingDevice.Cuda,
        _ => throw new FormatException($"{option}: unknown device '{text}'; expected auto, cpu or cuda."),
    };

    /// <summary>Parses a pruning plan (<see cref="PruningPlan.Parse"/>: ratio, per-stage list or layer map, then skip, round, rank and compensate).</summary>
    /// <exception cref="FormatException">The library's message, after the option.</exception>
    /// <summary>"0.1-0.7": sandwich training over that ratio range (the other settings the library's defaults); "none": null (the full network only).</summary>
    /// <exception cref="FormatException">Neither "none" nor two ratios separated by '-'.</exception>
    public static AnyRatioTrainingOptions? ParseRatioRange(string text, string option = "--any-ratio")
    {
        if (Normalize(text) == "none")
        {
            return null;
        }

        string[] parts = text.Split('-', StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double min)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double max)
            ? new AnyRatioTrainingOptions { MinRatio = min, MaxRatio = max }
            : throw new FormatException($"{option} '{text}' is not a ratio range such as 0.1-0.7, nor none.");
    }

    /// <summary>"imagenet", or "MEAN,...:STD,..." with one value per channel.</summary>
    /// <exception cref="FormatException">Neither; or the values are not numbers, or std is not positive.</exception>
    public static InputNormalization ParseNormalization(string text, string option = "--input-normalization")
    {
        if (Normalize(text) == "imagenet")
        {
            return InputNormalization.ImageNet;
        }

        string[] parts = text.Split(':');
        float[] Values(string list) => [.. list.Split(',').Select(v => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float value)
            ? value
            : throw new FormatException($"{option} '{text}': '{v}' is not a number."))];
        return parts.Length == 2
            ? Parse(() => new InputNormalization(Values(parts[0]), Values(parts[1])), option)
            : throw new FormatException($"{option} '{text}' must be 'imagenet' or 'MEAN,...:STD,...' (one value per channel), e.g. '0.5:0.25'.");
    }

    public static PruningPlan ParsePlan(string text, string option = "--plan") => Parse(() => PruningPlan.Parse(text), option);

    /// <summary>Parses P1, P2 or <c>"epoch:rate,..."</c> (<see cref="LearningRateSchedule.Parse"/>).</summary>
    /// <exception cref="FormatException">The library's message, after the option.</exception>
    public static LearningRateSchedule ParseSchedule(string text, string option = "--lr") => Parse(() => LearningRateSchedule.Parse(text), option);

    /// <summary>Parses an image shape <c>CxHxW</c>, e.g. 3x32x32.</summary>
    /// <exception cref="FormatException">Not three positive integers separated by 'x'.</exception>
    public static ImageShape ParseShape(string text, string option = "--input")
    {
        var parts = text.Split('x', 'X');
        int[] sizes = [.. parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)];
        return sizes is [> 0 and var c, > 0 and var h, > 0 and var w]
            ? new ImageShape(c, h, w)
            : throw new FormatException($"{option} '{text}' must be CxHxW with positive integers, e.g. 3x32x32.");
    }

    private static T Parse<T>(Func<T> parse, string option)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new FormatException($"{option}: {e.Message}", e);
        }
    }

    private static double ParseNumber(string token, string option) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"{option}: '{token}' is not a number.");

    private static string Normalize(string text) => new string([.. text.Where(char.IsLetterOrDigit)]).ToLowerInvariant();
}
