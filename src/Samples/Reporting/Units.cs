using System.Globalization;

namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>Formats counts with SI prefixes and their unit, so a number is never shown without what it counts.</summary>
internal static class Units
{
    private static readonly (double Scale, string Prefix)[] Prefixes = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];

    /// <summary>Formats <paramref name="value"/> like "0.85 M" (3 significant decimals at most) followed by <paramref name="unit"/>.</summary>
    /// <example><c>WithPrefix(251_000_000, "FLOPs")</c> gives <c>"251.00 MFLOPs"</c>.</example>
    public static string WithPrefix(double value, string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var magnitude = Math.Abs(value);
        foreach (var (scale, prefix) in Prefixes)
        {
            if (magnitude >= scale)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{value / scale:0.00} {prefix}{unit}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0} {unit}").TrimEnd();
    }

    /// <summary>A parameter count, e.g. "849.02 k" for 849,018 or "20.07 M" for 20,070,244.</summary>
    public static string Parameters(long count) => WithPrefix(count, string.Empty).TrimEnd();

    /// <summary>FLOPs in GReg's unit (2 x multiply-accumulates), e.g. "251.00 MFLOPs".</summary>
    public static string Flops(long flops) => WithPrefix(flops, "FLOPs");

    /// <summary>A speedup factor, e.g. "2.17x".</summary>
    public static string Speedup(double speedup) => string.Create(CultureInfo.InvariantCulture, $"{speedup:0.00}x");

    /// <summary>An accuracy in [0, 1] as a percentage with two decimals, e.g. "91.37%".</summary>
    public static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.00}%");

    /// <summary>A duration as "1h 02m 03s", "2m 05s" or "4.2s".</summary>
    public static string Duration(TimeSpan duration) => duration.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h {duration.Minutes:00}m {duration.Seconds:00}s")
        : duration.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m {duration.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0}s");
}
