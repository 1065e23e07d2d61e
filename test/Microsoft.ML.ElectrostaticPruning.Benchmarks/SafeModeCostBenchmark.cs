using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// What the convolution safe mode (<see cref="ConvolutionKernelMode.ChannelsLast"/>) costs, measured side by side in one
/// run on the same weights: SGD steps of a pruned ResNet-56 (odd widths, the case safe mode exists for) and inference of
/// a folded ResNet-50 (whose 1x1 convs safe mode runs NCHW), each network once as built and once with safe-mode routing,
/// interleaved ABBA. The returned ratio is the median of paired training-step ratios, safe / standard.
/// </summary>
internal sealed class SafeModeCostBenchmark : IBenchmark
{
    public string Name => "safe-mode-cost";

    public string Description => "convolution safe mode (channels-last) / standard: pruned ResNet-56 SGD step, folded ResNet-50 inference";

    public double Run(BenchmarkContext context)
    {
        var output = context.Output;
        int warmup = context.Quick ? 1 : 3;
        int repetitions = context.Quick ? 4 : 16;
        output.WriteLine($"mode of this process: {ConvolutionKernels.Description}");

        manual_seed(0);
        using var dense = CnnZoo.Create(CnnArchitecture.ResNet56, new ImageShape(3, 32, 32), 10);
        using var standard = FilterPruner.Prune(dense, PruningPlan.Parse("[0, 0.52, 0.52, 0.52, 0]")).Network;
        using var safe = standard.Copy();
        safe.RouteConvolutionsChannelsLast();
        using var inputs = randn(64, 3, 32, 32);
        using var labels = randint(0, 10, [64]);
        using var standardOptimizer = new MomentumSgd(standard.parameters(), 0.01, 0.9, 0);
        using var safeOptimizer = new MomentumSgd(safe.parameters(), 0.01, 0.9, 0);
        standard.train();
        safe.train();
        double Step(CnnNetwork network, MomentumSgd optimizer)
        {
            long start = Stopwatch.GetTimestamp();
            TrainingStep.Run(network, optimizer, null, [], inputs, labels);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        var (stepStandard, stepSafe, stepRatio) = Interleave(() => Step(standard, standardOptimizer), () => Step(safe, safeOptimizer), warmup, repetitions);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pruned ResNet-56 [0,0.52,0.52,0.52,0], SGD step, batch 64x3x32x32, {get_num_threads()} threads: standard {stepStandard * 1e3:F1} ms, safe mode {stepSafe * 1e3:F1} ms, paired ratio {stepRatio:F3}"));

        manual_seed(1);
        using var resnet50 = CnnZoo.Create(CnnArchitecture.ResNet50, new ImageShape(3, 64, 64), 100);
        resnet50.eval();
        using var foldedStandard = resnet50.ForInference();
        using var foldedSafe = resnet50.ForInference();
        foldedSafe.RouteConvolutionsChannelsLast();
        using var images = randn(16, 3, 64, 64);
        double Infer(CnnNetwork network)
        {
            using var mode = inference_mode();
            long start = Stopwatch.GetTimestamp();
            network.call(images).Dispose();
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        var (inferStandard, inferSafe, inferRatio) = Interleave(() => Infer(foldedStandard), () => Infer(foldedSafe), warmup, repetitions);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"folded ResNet-50 inference, batch 16x3x64x64: standard {inferStandard * 1e3:F1} ms, safe mode {inferSafe * 1e3:F1} ms, paired ratio {inferRatio:F3}"));
        output.WriteLine("(folded VGG and CIFAR ResNets have no 1x1 convs: their inference is identical in both modes)");
        return stepRatio;
    }

    private static (double A, double B, double PairedRatio) Interleave(Func<double> a, Func<double> b, int warmup, int repetitions)
    {
        for (int i = 0; i < warmup; i++)
        {
            a();
            b();
        }

        var first = new List<double>();
        var second = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            if (i % 2 == 0)
            {
                first.Add(a());
                second.Add(b());
            }
            else
            {
                second.Add(b());
                first.Add(a());
            }
        }

        return (BenchmarkContext.Median(first), BenchmarkContext.Median(second), BenchmarkContext.Median(first.Zip(second, (x, y) => y / x)));
    }
}
