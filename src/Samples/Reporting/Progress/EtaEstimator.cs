namespace ElectrostaticPruning.Samples.Reporting.Progress;

/// <summary>Remaining-time estimate from the average pace so far (epochs are long and few, so a moving window would be noise).</summary>
internal static class EtaEstimator
{
    /// <summary>
    /// The time left to finish <paramref name="total"/> units after <paramref name="done"/> took <paramref name="elapsed"/>,
    /// or <see langword="null"/> before the first unit is done.
    /// </summary>
    public static TimeSpan? Remaining(TimeSpan elapsed, double done, double total)
    {
        if (done <= 0 || total <= 0)
        {
            return null;
        }

        if (done >= total)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done));
    }

    /// <summary>"ETA 1m 05s", or "ETA --" when unknown.</summary>
    public static string Format(TimeSpan? remaining) => remaining is { } value ? $"ETA {Units.Duration(value)}" : "ETA --";
}
