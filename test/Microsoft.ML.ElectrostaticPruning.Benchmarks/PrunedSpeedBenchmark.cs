using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// Real CPU inference time of dense and physically pruned networks, side by side in one run, on batches of 64
/// 3x32x32 images: VGG-19/CIFAR-100 at [0:0, 1-15:0.65] and ResNet-56/CIFAR-10 at [0, 0.52, 0.52, 0.52, 0].
/// Every network runs in two forms, as trained (conv, BatchNorm, ReLU) and as <see cref="CnnNetwork.ForInference"/>
/// builds it (BatchNorm folded into the convs, channels-last weights), each with NCHW-contiguous and with
/// channels-last (NHWC-strided) input. Dense and pruned always get the same form, input, batch and threads. Every
/// repetition runs all eight variants in a rotating order (so load changes on a shared machine hit them alike) and
/// the medians are compared. Wall-clock time is the measure; with one libtorch thread the calling thread's CPU time is
/// printed too, as a cross-check that does not count the time spent waiting for a core. The headline ratio is measured
/// speedup / FLOPs speedup of VGG-19, folded, channels-last input, wall-clock. After the VGG-19 table,
/// <see cref="ConvLayerBreakdown"/> prints the time of every conv of both folded networks and a channel-padding probe,
/// the evidence for where the pruned network falls short of its FLOPs.
/// Options: --quick (fewer repetitions), --threads N (libtorch intra-op threads), --round M (keep multiples of M filters).
/// </summary>
internal sealed class PrunedSpeedBenchmark : IBenchmark
{
    private const int Batch = 64;

    public string Name => "pruned-speed";

    public string Description => "dense vs pruned CPU inference (batch 64, 3x32x32); ratio = measured / FLOPs speedup of VGG-19 (BatchNorm folded, channels-last), goal >= 0.9";

    public double Run(BenchmarkContext context)
    {
        var output = context.Output;
        if (OptionValue(context, "--threads") is int threads)
        {
            torch.set_num_threads(threads);
        }

        var rounding = OptionValue(context, "--round") is int multiple ? new ChannelRounding(multiple) : null;
        int warmup = context.Quick ? 2 : 5, repetitions = context.Quick ? 7 : 31;
        bool threadCpu = torch.get_num_threads() == 1 && ThreadCpuClock.IsAvailable;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"libtorch threads {torch.get_num_threads()}, batch {Batch}x3x32x32, eval + inference_mode, {warmup} warm-ups, median of {repetitions} interleaved repetitions{(rounding is null ? string.Empty : $", kept filters rounded up to multiples of {rounding.Multiple}")}"));
        output.WriteLine($"{"network",-44} {"form",-9} {"layout",-13} {"dense ms",9} {"pruned ms",10} {"measured",9} {"FLOPs",7} {"ratio",6}{(threadCpu ? $" | {"cpu dense",9} {"cpu pruned",10} {"cpu ratio",9}" : string.Empty)}");
        double vgg = Compare(output, "VGG-19/CIFAR-100 [0:0, 1-15:0.65]", CnnArchitecture.Vgg19, 100, "[0:0, 1-15:0.65]", rounding, warmup, repetitions, threadCpu, breakdown: true);
        Compare(output, "ResNet-56/CIFAR-10 [0, 0.52, 0.52, 0.52, 0]", CnnArchitecture.ResNet56, 10, "[0, 0.52, 0.52, 0.52, 0]", rounding, warmup, repetitions, threadCpu);
        output.WriteLine("headline: VGG-19, folded, channels-last input, wall-clock");
        return vgg;
    }

    // Returns the wall-clock ratio of the folded networks on channels-last input.
    private static double Compare(TextWriter output, string label, CnnArchitecture architecture, int classes, string plan, ChannelRounding? rounding, int warmup, int repetitions, bool threadCpu, bool breakdown = false)
    {
        torch.manual_seed(0);
        using var dense = CnnZoo.Create(architecture, new ImageShape(3, 32, 32), classes);
        dense.eval();
        var result = FilterPruner.Prune(dense, PruningPlan.Parse(plan), rounding);
        using var pruned = result.Network;
        pruned.eval();
        using var foldedDense = dense.ForInference();
        using var foldedPruned = pruned.ForInference();
        using var nchw = randn(Batch, 3, 32, 32);
        using var nhwc = ChannelsLast.From(nchw);

        var cases = new (string Form, string Layout, CnnNetwork Dense, CnnNetwork Pruned, Tensor Input)[]
        {
            ("as built", "NCHW", dense, pruned, nchw),
            (string.Empty, "channels-last", dense, pruned, nhwc),
            ("folded", "NCHW", foldedDense, foldedPruned, nchw),
            (string.Empty, "channels-last", foldedDense, foldedPruned, nhwc),
        };
        var timings = Measure([.. cases.SelectMany(c => new Action[] { () => Infer(c.Dense, c.Input), () => Infer(c.Pruned, c.Input) })], warmup, repetitions, threadCpu);

        double headline = 0;
        for (int i = 0; i < cases.Length; i++)
        {
            var (wallDense, cpuDense) = timings[2 * i];
            var (wallPruned, cpuPruned) = timings[(2 * i) + 1];
            double measured = wallDense / wallPruned;
            double ratio = measured / result.Speedup;
            string cpu = threadCpu ? string.Create(CultureInfo.InvariantCulture, $" | {cpuDense * 1e3,9:F1} {cpuPruned * 1e3,10:F1} {cpuDense / cpuPruned / result.Speedup,9:F3}") : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? label : string.Empty),-44} {cases[i].Form,-9} {cases[i].Layout,-13} {wallDense * 1e3,9:F1} {wallPruned * 1e3,10:F1} {measured,8:F2}x {result.Speedup,6:F2}x {ratio,6:F3}{cpu}"));
            headline = ratio;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dense  {result.Dense}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pruned {result.Pruned}; widths {string.Join(",", pruned.Widths)}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  folded vs as built, max |logit difference| / max |logit|: dense {RelativeDifference(dense, foldedDense, nchw):G3}, pruned {RelativeDifference(pruned, foldedPruned, nchw):G3}"));
        if (breakdown)
        {
            ConvLayerBreakdown.Print(output, foldedDense, foldedPruned, nhwc, result.Speedup, warmup, repetitions);
        }
        return headline;
    }

    private static void Infer(CnnNetwork network, Tensor batch)
    {
        using var scope = NewDisposeScope();
        using var mode = torch.inference_mode();
        network.call(batch);
    }

    private static double RelativeDifference(CnnNetwork network, CnnNetwork folded, Tensor batch)
    {
        using var scope = NewDisposeScope();
        using var mode = torch.inference_mode();
        var expected = network.call(batch);
        return (expected - folded.call(batch)).abs().max().item<float>() / expected.abs().max().item<float>();
    }

    // Every repetition runs all variants, starting at a different one each time; returns median wall and thread-CPU seconds.
    private static (double Wall, double Cpu)[] Measure(Action[] variants, int warmup, int repetitions, bool threadCpu)
    {
        for (int i = 0; i < warmup; i++)
        {
            Array.ForEach(variants, v => v());
        }

        var wall = variants.Select(_ => new double[repetitions]).ToArray();
        var cpu = variants.Select(_ => new double[repetitions]).ToArray();
        for (int i = 0; i < repetitions; i++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                int v = (i + k) % variants.Length;
                double cpuStart = threadCpu ? ThreadCpuClock.Seconds() : 0;
                long start = Stopwatch.GetTimestamp();
                variants[v]();
                wall[v][i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                cpu[v][i] = threadCpu ? ThreadCpuClock.Seconds() - cpuStart : 0;
            }
        }

        return [.. wall.Zip(cpu, (w, c) => (BenchmarkContext.Median(w), BenchmarkContext.Median(c)))];
    }

    private static int? OptionValue(BenchmarkContext context, string name)
    {
        int at = context.Arguments.ToList().IndexOf(name);
        return at >= 0 && at + 1 < context.Arguments.Count && int.TryParse(context.Arguments[at + 1], CultureInfo.InvariantCulture, out int value) && value > 0 ? value : null;
    }
}
