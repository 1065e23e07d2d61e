using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// Where a pruned network loses against its FLOPs: the wall-clock time of every conv of a dense and a pruned network
/// (forward pre- and post-hooks around each <see cref="Conv2d"/> call, both networks interleaved per repetition, medians),
/// the rest of the forward pass (ReLU, pooling, classifier) as "other", and a channel-padding probe that times one conv
/// shape with 16, the pruned count and 32 output filters. Its summary line says what the ratio would be if every pruned
/// conv ran at its dense counterpart's MAC rate, which separates per-layer efficiency from the fixed costs.
/// </summary>
internal static class ConvLayerBreakdown
{
    /// <summary>Prints the per-conv table of <paramref name="dense"/> vs <paramref name="pruned"/> on <paramref name="batch"/>.</summary>
    public static void Print(TextWriter output, CnnNetwork dense, CnnNetwork pruned, Tensor batch, double flopsSpeedup, int warmup, int repetitions)
    {
        var denseTimes = new ConvTimer(dense);
        var prunedTimes = new ConvTimer(pruned);
        using (denseTimes)
        using (prunedTimes)
        {
            for (int i = 0; i < warmup + repetitions; i++)
            {
                bool record = i >= warmup;
                (i % 2 == 0 ? denseTimes : prunedTimes).Run(batch, record);
                (i % 2 == 0 ? prunedTimes : denseTimes).Run(batch, record);
            }
        }

        long images = batch.shape[0];
        var d = denseTimes.Medians(images);
        var p = prunedTimes.Medians(images);
        output.WriteLine("  per conv (folded, channels-last input; medians; 'other' = ReLU, pooling, classifier):");
        output.WriteLine($"  {"conv",-5} {"dense in→out",13} {"pruned in→out",14} {"out HxW",8} {"dense ms",9} {"pruned ms",10} {"measured",9} {"MACs",7} {"dense GMAC/s",13} {"pruned GMAC/s",14} {"efficiency",11}");
        double idealPruned = 0;
        for (int i = 0; i < d.Convs.Count; i++)
        {
            var (dc, pc) = (d.Convs[i], p.Convs[i]);
            double macRatio = (double)dc.Macs / pc.Macs;
            double denseRate = dc.Macs / dc.Milliseconds / 1e6, prunedRate = pc.Macs / pc.Milliseconds / 1e6;
            idealPruned += dc.Milliseconds / macRatio;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i,-5} {$"{dc.In}→{dc.Out}",13} {$"{pc.In}→{pc.Out}",14} {$"{dc.Height}x{dc.Width}",8} {dc.Milliseconds,9:F2} {pc.Milliseconds,10:F2} {dc.Milliseconds / pc.Milliseconds,8:F2}x {macRatio,6:F2}x {denseRate,13:F1} {prunedRate,14:F1} {prunedRate / denseRate,11:F2}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"other",-5} {string.Empty,13} {string.Empty,14} {string.Empty,8} {d.Other,9:F2} {p.Other,10:F2} {d.Other / p.Other,8:F2}x"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"total",-5} {string.Empty,13} {string.Empty,14} {string.Empty,8} {d.Total,9:F2} {p.Total,10:F2} {d.Total / p.Total,8:F2}x {flopsSpeedup,6:F2}x   ratio {d.Total / p.Total / flopsSpeedup:F3}"));
        idealPruned += p.Other;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  if every pruned conv ran at its dense conv's GMAC/s: pruned {idealPruned:F2} ms, ratio {d.Total / idealPruned / flopsSpeedup:F3} (the rest of the gap is the fixed cost of 'other' and unpruned convs)"));

        var worst = p.Convs.Select((c, i) => (c, i)).Where(x => x.c.Out % 16 != 0).OrderByDescending(x => x.c.Milliseconds - (d.Convs[x.i].Milliseconds * x.c.Macs / d.Convs[x.i].Macs)).FirstOrDefault();
        if (worst.c is { } probe)
        {
            PrintPaddingProbe(output, probe, images, warmup, repetitions);
        }
    }

    // Times the same conv shape with 16, the pruned count and 32 (or the next multiple of 16) output filters, interleaved.
    private static void PrintPaddingProbe(TextWriter output, ConvTime conv, long batch, int warmup, int repetitions)
    {
        int lower = (int)(conv.Out / 16 * 16), upper = lower + 16;
        var counts = new[] { lower, (int)conv.Out, upper }.Where(c => c > 0).Distinct().ToArray();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var input = ChannelsLast.From(randn(batch, conv.In, conv.Height, conv.Width));
        var weights = counts.Select(c => ChannelsLast.From(randn(c, conv.In, 3, 3))).ToArray();
        var biases = counts.Select(c => randn(c)).ToArray();
        var samples = counts.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < warmup + repetitions; i++)
        {
            for (int k = 0; k < counts.Length; k++)
            {
                using var inner = NewDisposeScope();
                long start = Stopwatch.GetTimestamp();
                nn.functional.conv2d(input, weights[k], biases[k], padding: [1, 1]);
                if (i >= warmup)
                {
                    samples[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        }

        var medians = samples.Select(BenchmarkContext.Median).ToArray();
        string times = string.Join(", ", counts.Select((c, k) => string.Create(CultureInfo.InvariantCulture, $"{c} filters {medians[k]:F2} ms")));
        int self = Array.IndexOf(counts, (int)conv.Out);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  output-channel padding probe (conv {conv.In}→n, 3x3, {conv.Height}x{conv.Width}, batch {batch}, channels-last): {times}; {conv.Out} filters cost {medians[self] / medians[^1]:F2} of {counts[^1]}"));
    }

    // Macs: for the whole batch.
    private sealed record ConvTime(long In, long Out, long Height, long Width, long Macs, double Milliseconds);

    private sealed record Profile(IReadOnlyList<ConvTime> Convs, double Other, double Total);

    // Hooks every Conv2d of one network; each Run records the time of every conv call and of the whole forward pass.
    private sealed class ConvTimer : IDisposable
    {
        private readonly CnnNetwork _network;
        private readonly List<Conv2d> _convs;
        private readonly List<Action> _removeHooks = [];
        private readonly List<List<double>> _convSamples;
        private readonly List<double> _totals = [];
        private readonly long[] _outputSizes;
        private long _started;
        private bool _recording;

        public ConvTimer(CnnNetwork network)
        {
            _network = network;
            _convs = [.. _network.modules().OfType<Conv2d>()];
            _convSamples = [.. _convs.Select(_ => new List<double>())];
            _outputSizes = new long[_convs.Count * 2];
            for (int i = 0; i < _convs.Count; i++)
            {
                int index = i;
                var before = _convs[i].register_forward_pre_hook((_, input) =>
                {
                    _started = Stopwatch.GetTimestamp();
                    return input;
                });
                _removeHooks.Add(before.remove);
                var after = _convs[i].register_forward_hook((_, _, result) =>
                {
                    double elapsed = Stopwatch.GetElapsedTime(_started).TotalMilliseconds;
                    if (_recording)
                    {
                        _convSamples[index].Add(elapsed);
                    }

                    (_outputSizes[2 * index], _outputSizes[(2 * index) + 1]) = (result.shape[2], result.shape[3]);
                    return result;
                });
                _removeHooks.Add(after.remove);
            }
        }

        public void Run(Tensor batch, bool record)
        {
            _recording = record;
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            long start = Stopwatch.GetTimestamp();
            _network.call(batch);
            if (record)
            {
                _totals.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        public Profile Medians(long images)
        {
            var times = _convs.Select((conv, i) =>
            {
                var shape = conv.weight!.shape;
                long height = _outputSizes[2 * i], width = _outputSizes[(2 * i) + 1];
                return new ConvTime(shape[1], shape[0], height, width, images * shape[0] * shape[1] * shape[2] * shape[3] * height * width, BenchmarkContext.Median(_convSamples[i]));
            }).ToList();
            double total = BenchmarkContext.Median(_totals);
            return new Profile(times, total - times.Sum(t => t.Milliseconds), total);
        }

        public void Dispose() => _removeHooks.ForEach(remove => remove());
    }
}
