using System.Diagnostics;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>Shared settings and timing helpers for benchmarks.</summary>
internal sealed class BenchmarkContext
{
    public BenchmarkContext(IReadOnlyList<string> arguments, TextWriter output)
    {
        Arguments = arguments;
        Output = output;
        Quick = arguments.Contains("--quick");
    }

    /// <summary>Arguments after the benchmark name.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Where measurements are printed.</summary>
    public TextWriter Output { get; }

    /// <summary>Fewer repetitions (smoke runs); ratios are noisier.</summary>
    public bool Quick { get; }

    /// <summary>The value after <c>--name</c> in <see cref="Arguments"/>, or null when absent.</summary>
    public string? Option(string name)
    {
        int at = Arguments.ToList().IndexOf(name);
        return at >= 0 && at + 1 < Arguments.Count ? Arguments[at + 1] : null;
    }

    /// <summary>Whether the switch <paramref name="name"/> (an argument without a value) is in <see cref="Arguments"/>.</summary>
    public bool Flag(string name) => Arguments.Contains(name);

    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times untimed, then returns the median of <paramref name="repetitions"/> timed runs in seconds.</summary>
    public static double MedianSeconds(Action action, int warmup, int repetitions)
    {
        for (int i = 0; i < warmup; i++)
        {
            action();
        }

        var samples = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        return Median(samples);
    }

    /// <summary>The median of <paramref name="samples"/> (the mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }
}
