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
/// Each network runs with NCHW-contiguous input and with channels-last (NHWC-strided) input; every repetition runs
/// all four variants in a rotating order (so load changes on a shared machine hit them alike) and the medians are
/// compared. The headline ratio is measured speedup / FLOPs speedup of VGG-19 with channels-last input, the faster
/// layout for it (oneDNN convolutions and max-pooling work natively in NHWC).
/// Options: --quick (fewer repetitions), --threads N (libtorch intra-op threads), --round M (keep multiples of M filters).
/// </summary>
internal sealed class PrunedSpeedBenchmark : IBenchmark
{
    private const int Batch = 64;

    public string Name => "pruned-speed";

    public string Description => "dense vs pruned CPU inference (batch 64, 3x32x32); ratio = measured / FLOPs speedup of VGG-19 (channels-last), goal >= 0.9";

    public double Run(BenchmarkContext context)
    {
        var output = context.Output;
        if (OptionValue(context, "--threads") is int threads)
        {
            torch.set_num_threads(threads);
        }

        var rounding = OptionValue(context, "--round") is int multiple ? new ChannelRounding(multiple) : null;
        int warmup = context.Quick ? 2 : 5, repetitions = context.Quick ? 5 : 21;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"libtorch threads {torch.get_num_threads()}, batch {Batch}x3x32x32, eval + inference_mode, {warmup} warm-ups, median of {repetitions} interleaved repetitions{(rounding is null ? string.Empty : $", kept filters rounded up to multiples of {rounding.Multiple}")}"));
        output.WriteLine($"{"network",-44} {"layout",-13} {"dense ms",9} {"pruned ms",10} {"measured",9} {"FLOPs",7} {"ratio",6}");
        var vgg = Compare(output, "VGG-19/CIFAR-100 [0:0, 1-15:0.65]", CnnArchitecture.Vgg19, 100, "[0:0, 1-15:0.65]", rounding, warmup, repetitions);
        Compare(output, "ResNet-56/CIFAR-10 [0, 0.52, 0.52, 0.52, 0]", CnnArchitecture.ResNet56, 10, "[0, 0.52, 0.52, 0.52, 0]", rounding, warmup, repetitions);
        return vgg.ChannelsLast;
    }

    private static (double Contiguous, double ChannelsLast) Compare(TextWriter output, string label, CnnArchitecture architecture, int classes, string plan, ChannelRounding? rounding, int warmup, int repetitions)
    {
        torch.manual_seed(0);
        using var dense = CnnZoo.Create(architecture, new ImageShape(3, 32, 32), classes);
        dense.eval();
        var result = FilterPruner.Prune(dense, PruningPlan.Parse(plan), rounding);
        using var pruned = result.Network;
        pruned.eval();
        using var nchw = randn(Batch, 3, 32, 32);
        using var nhwc = nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

        double[] medians = MedianSeconds(
            [() => Infer(dense, nchw), () => Infer(pruned, nchw), () => Infer(dense, nhwc), () => Infer(pruned, nhwc)],
            warmup,
            repetitions);
        double contiguous = Report(output, label, "NCHW", medians[0], medians[1], result.Speedup);
        double channelsLast = Report(output, string.Empty, "channels-last", medians[2], medians[3], result.Speedup);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dense  {result.Dense}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pruned {result.Pruned}"));
        return (contiguous, channelsLast);
    }

    private static double Report(TextWriter output, string label, string layout, double denseSeconds, double prunedSeconds, double flopsSpeedup)
    {
        double measured = denseSeconds / prunedSeconds;
        double ratio = measured / flopsSpeedup;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-44} {layout,-13} {denseSeconds * 1e3,9:F1} {prunedSeconds * 1e3,10:F1} {measured,8:F2}x {flopsSpeedup,6:F2}x {ratio,6:F3}"));
        return ratio;
    }

    private static void Infer(CnnNetwork network, Tensor batch)
    {
        using var scope = NewDisposeScope();
        using var mode = torch.inference_mode();
        network.call(batch);
    }

    // Every repetition runs all variants, starting at a different one each time.
    private static double[] MedianSeconds(Action[] variants, int warmup, int repetitions)
    {
        for (int i = 0; i < warmup; i++)
        {
            Array.ForEach(variants, v => v());
        }

        var samples = new double[variants.Length][];
        for (int v = 0; v < variants.Length; v++)
        {
            samples[v] = new double[repetitions];
        }

        for (int i = 0; i < repetitions; i++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                int v = (i + k) % variants.Length;
                long start = Stopwatch.GetTimestamp();
                variants[v]();
                samples[v][i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }

        return [.. samples.Select(Median)];
    }

    private static double Median(double[] samples)
    {
        Array.Sort(samples);
        int n = samples.Length;
        return n % 2 == 1 ? samples[n / 2] : 0.5 * (samples[(n / 2) - 1] + samples[n / 2]);
    }

    private static int? OptionValue(BenchmarkContext context, string name)
    {
        int at = context.Arguments.ToList().IndexOf(name);
        return at >= 0 && at + 1 < context.Arguments.Count && int.TryParse(context.Arguments[at + 1], CultureInfo.InvariantCulture, out int value) && value > 0 ? value : null;
    }
}
