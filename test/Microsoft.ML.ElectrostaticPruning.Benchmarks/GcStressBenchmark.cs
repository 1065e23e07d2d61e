using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.TestSupport;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// TorchSharp 0.107 frees a temporary <c>Scalar</c> while libtorch reads it when a garbage collection runs at the wrong
/// moment. This benchmark makes that moment likely: another thread forces full collections and finalizer runs in a loop
/// while the public API runs its whole cycle (Fit with a validation set, Prune, Transform + Evaluate, Save, Load, score)
/// for every zoo family at small image sizes (<see cref="FitCycle"/>). It counts the cycles that fail. Options:
/// <c>--fits N</c> per family (default 10, 1 with <c>--quick</c>), <c>--family A,B</c> (architecture names; default
/// SmallCnn, ResNet20, Vgg11, ResNet18), <c>--generation 0</c> to collect only the youngest generation (cheaper; default 2).
/// The headline is the number of failed cycles (0 expected).
/// </summary>
internal sealed class GcStressBenchmark : IBenchmark
{
    public string Name => "gc-stress";

    public string Description => "Fit/Prune/Transform/Save/Load cycles of every zoo family while another thread forces GCs (headline: failed cycles, 0 expected)";

    public double Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int fits = context.Option("--fits") is { } f ? int.Parse(f, CultureInfo.InvariantCulture) : context.Quick ? 1 : 10;
        var families = context.Option("--family") is { } names
            ? names.Split(',').Select(n => Enum.Parse<CnnArchitecture>(n.Trim(), ignoreCase: true)).ToArray()
            : FitCycle.EveryFamily;
        int generation = context.Option("--generation") is { } g ? int.Parse(g, CultureInfo.InvariantCulture) : 2;
        int failures = 0;
        foreach (var architecture in families)
        {
            int failed = 0;
            long started = Stopwatch.GetTimestamp();
            long collections;
            var errors = new List<string>();
            using (var pressure = GcPressure.Start(generation))
            {
                for (int i = 0; i < fits; i++)
                {
                    var ml = new MLContext(seed: i);
                    try
                    {
                        FitCycle.Run(ml, architecture, seed: i + 1);
                    }
                    catch (Exception error)
                    {
                        failed++;
                        errors.Add($"{error.GetType().Name}: {error.Message.Split('\n', 2)[0]}");
                    }
                }

                collections = pressure.Collections;
            }

            failures += failed;
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{architecture,-9} at {FitCycle.ShapeFor(architecture)}: {fits} cycles, {failed} failed, {collections} forced GCs, {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
            foreach (var group in errors.GroupBy(e => e))
            {
                context.Output.WriteLine($"  {group.Count()} x {group.Key}");
            }
        }

        return failures;
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:F0} failed cycles (0 expected)");
}
