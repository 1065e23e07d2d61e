namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// One named benchmark. Implementations are discovered by reflection; each prints its measurements
/// and returns the headline ratio, which the runner prints last as "&lt;name&gt;: ratio &lt;value&gt;".
/// </summary>
internal interface IBenchmark
{
    /// <summary>Command-line name, e.g. "penalty-overhead".</summary>
    string Name { get; }

    /// <summary>One line saying what is measured and what the ratio means.</summary>
    string Description { get; }

    /// <summary>Runs the measurement and returns the headline ratio.</summary>
    double Run(BenchmarkContext context);

    /// <summary>The final line's text after "&lt;name&gt;: " for the value <see cref="Run"/> returned; a ratio unless overridden.</summary>
    string Headline(double value) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ratio {value:F3}");
}
