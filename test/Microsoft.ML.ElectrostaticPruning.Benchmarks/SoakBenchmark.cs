using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.TestSupport;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// Consecutive user cycles in one process (<see cref="FitCycle"/>: Fit with a validation set, Prune, Transform + Evaluate,
/// Save, Load, score, dispose) for SmallCnn, ResNet-20 and VGG-11 at small image sizes, round robin. After each cycle it
/// collects garbage and reads the process's resident memory and TorchSharp's count of live tensors. The resident memory
/// of one cycle depends on its network (VGG-11's activations are the largest) and on what glibc's allocator keeps for
/// reuse, so the check compares peaks: memory is flat when the peak of the second half of the cycles exceeds the peak of
/// the first half by less than the bound (<c>--bound MB</c>, default 64) and no tensor stays alive after any cycle.
/// Options: <c>--fits N</c> (default 20, 6 with <c>--quick</c>). The headline is the growth of the peak, in MB.
/// </summary>
internal sealed class SoakBenchmark : IBenchmark
{
    private static readonly CnnArchitecture[] Families = [CnnArchitecture.SmallCnn, CnnArchitecture.ResNet20, CnnArchitecture.Vgg11];

    public string Name => "soak";

    public string Description => "20 consecutive Fit/Prune/Transform/Save/Load cycles (SmallCnn, ResNet-20, VGG-11): no crash, memory flat (headline: growth of the peak RSS, second half vs first, in MB)";

    public double Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int fits = context.Option("--fits") is { } f ? int.Parse(f, CultureInfo.InvariantCulture) : context.Quick ? 6 : 20;
        double bound = context.Option("--bound") is { } b ? double.Parse(b, CultureInfo.InvariantCulture) : 64;
        var rss = new double[fits];
        var tensors = new long[fits];
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < fits; i++)
        {
            var architecture = Families[i % Families.Length];
            long cycleStart = Stopwatch.GetTimestamp();
            double accuracy = FitCycle.Run(new MLContext(seed: i), architecture, seed: i + 1);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            rss[i] = process.WorkingSet64 / (1024.0 * 1024.0);
            tensors[i] = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cycle {i + 1,2}: {architecture,-9} accuracy {accuracy:P1}, {Stopwatch.GetElapsedTime(cycleStart).TotalSeconds,5:F1} s, RSS {rss[i],7:F1} MB, managed heap {GC.GetTotalMemory(false) / (1024.0 * 1024.0),6:F1} MB, live tensors {tensors[i]}"));
        }

        int half = fits / 2;
        double firstPeak = rss[..half].Max(), secondPeak = rss[half..].Max();
        double growth = secondPeak - firstPeak;
        bool flat = growth < bound && tensors.All(t => t == 0);
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{fits} cycles in {Stopwatch.GetElapsedTime(started).TotalMinutes:F1} min, no crash; peak RSS cycles 1-{half} {firstPeak:F1} MB, cycles {half + 1}-{fits} {secondPeak:F1} MB ({growth:+0.0;-0.0} MB, bound {bound} MB); live tensors after every cycle: {string.Join(",", tensors.Distinct())}; memory {(flat ? "flat" : "NOT flat")}"));
        return growth;
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"peak RSS growth {value:+0.0;-0.0} MB, second half of the cycles vs first (bound 64 MB; no tensor may stay alive)");
}
