using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// BatchNorm running statistics measured at several widths of one dense network (Slimmable Networks' "private
/// BatchNorm", measured once after training): for each stored width, the filters every conv keeps and the recalibrated
/// running mean and variance of every BatchNorm of that pruned network. Sub-network passes of sandwich training never
/// update the running statistics, so without these a data-free <c>Prune(plan)</c> of a deep network normalizes with the
/// full network's statistics, which compound over the residual stages (ResNet-56: 21% at 2.00x against 80% recalibrated).
/// </summary>
/// <remarks>
/// <para>Applying them (<see cref="Apply"/>): of the stored widths whose kept filters contain the pruned network's in
/// every conv, the narrowest (A) gives every BatchNorm its statistics (each kept channel its own). At a stored width that
/// is exactly what recalibration on the same images gives. Between two, with B the widest stored width inside the pruned
/// network, a channel B keeps gets <c>s_A + t (s_B - s_A)</c> for its running mean and variance, t = (channels of A -
/// channels of the pruned network) / (channels of A - channels of B), summed over all BatchNorms (linear in the width
/// between the two measured networks); the other channels keep A's. When no stored width contains the pruned network
/// (another ranking, a per-layer plan), the network keeps the dense statistics, as before. Only running statistics change; weights, BatchNorm affine parameters and a compensated
/// classifier bias do not.</para>
/// <para>Stream layout (little-endian): 8-byte magic "EPWIDTH\x1A", int32 version (1), int32 widths, per width: double
/// ratio, int64 batches tracked, int32 BatchNorms, per BatchNorm: UTF-8 conv name, int32 kept, kept int32 indices
/// (ascending), kept float32 means, kept float32 variances; then the SHA-256 of everything before it (32 bytes).</para>
/// </remarks>
internal sealed class WidthStatistics
{
    /// <summary>Step between two stored ratios of a range.</summary>
    public const double RatioStep = 0.05;

    private const int Version = 1;
    private static readonly byte[] Magic = "EPWIDTH\u001A"u8.ToArray();

    private readonly IReadOnlyList<Width> _widths;

    private WidthStatistics(IReadOnlyList<Width> widths) => _widths = widths;

    /// <summary>The stored ratios, ascending.</summary>
    public IReadOnlyList<double> Ratios => [.. _widths.Select(w => w.Ratio)];

    /// <summary>
    /// The ratios stored for the range [<paramref name="minRatio"/>, <paramref name="maxRatio"/>]: every multiple of
    /// <see cref="RatioStep"/> from <paramref name="minRatio"/> up, and <paramref name="maxRatio"/> (0.1-0.7: 13 ratios).
    /// </summary>
    public static IReadOnlyList<double> RangeRatios(double minRatio, double maxRatio)
    {
        var ratios = new List<double>();
        for (int i = 0; ; i++)
        {
            double ratio = Math.Round(minRatio + (i * RatioStep), 6);
            if (ratio > maxRatio - 1e-9)
            {
                break;
            }

            if (ratio > 0)
            {
                ratios.Add(ratio);
            }
        }

        if (maxRatio > 0)
        {
            ratios.Add(maxRatio);
        }

        return ratios;
    }

    /// <summary>
    /// Prunes <paramref name="dense"/> at each of <paramref name="ratios"/> with the paper's sweep, the ranking of
    /// <paramref name="plan"/> (its compensation does not change recalibrated statistics) and
    /// <see cref="BatchNormCalibration.Recalibrate"/> on <paramref name="images"/> images of <paramref name="data"/> drawn
    /// with <paramref name="seed"/>, and keeps what each pruned network's BatchNorms measured. <paramref name="dense"/> is not modified.
    /// With the trained <paramref name="order"/> (null: rank the weights) the widths keep its filters, as pruning then does.
    /// </summary>
    public static WidthStatistics Measure(CnnNetwork dense, PruningPlan plan, IReadOnlyList<double> ratios, ImageDataset data, int images, int seed, TrainingStop stop = default, FilterOrder? order = null)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(ratios);
        var widths = new List<Width>(ratios.Count);
        foreach (double ratio in ratios.Order())
        {
            stop.ThrowIfStopped();
            var sweep = PruningPlan.PaperSweep(dense.Architecture, ratio).WithRanking(plan.Ranking);
            var result = FilterPruner.Prune(dense, sweep, order: order);
            using var pruned = result.Network;
            BatchNormCalibration.Recalibrate(pruned, data, images, seed);
            var byName = result.Layers.ToDictionary(l => l.Layer.Name, StringComparer.Ordinal);
            var norms = new List<Channels>();
            long batches = 0;
            foreach (var layer in pruned.ConvLayers)
            {
                var batchNorm = pruned.GetBatchNorm(layer);
                batches = batchNorm.num_batches_tracked!.item<long>();
                norms.Add(new Channels(layer.Name, [.. byName[layer.Name].KeptIndices], Values(batchNorm.running_mean!), Values(batchNorm.running_var!)));
            }

            CheckEveryBatchNormCovered(pruned, norms.Count);
            widths.Add(new Width(ratio, batches, norms));
        }

        return new WidthStatistics(widths);
    }

    /// <summary>
    /// Gives the BatchNorms of <paramref name="pruning"/>'s network the statistics of the stored widths around it (see the
    /// remarks); returns the ratio of the narrowest stored width that contains it, or null when none does (the network is
    /// left as it is).
    /// </summary>
    /// <param name="pruning">The pruned network (changed in place) and the filters it kept.</param>
    /// <param name="interpolate">False gives every channel the wider width's statistics (no interpolation; an ablation).</param>
    public double? Apply(PruningResult pruning, bool interpolate = true)
    {
        ArgumentNullException.ThrowIfNull(pruning);
        var kept = pruning.Layers.ToDictionary(l => l.Layer.Name, l => l.KeptIndices.ToArray(), StringComparer.Ordinal);
        int channels = kept.Values.Sum(k => k.Length);
        var wider = _widths
            .Where(w => w.Layers.All(c => kept.TryGetValue(c.Conv, out var k) && Contains(c.Kept, k)))
            .MinBy(w => w.Channels);
        if (wider is null)
        {
            return null;
        }

        // The widest stored width inside the pruned network, and how far the pruned network lies from the wider one
        // towards it (0 at the wider width, 1 at the narrower).
        var narrower = wider.Channels == channels || !interpolate ? null : _widths
            .Where(w => w.Channels < channels && w.Layers.All(c => kept.TryGetValue(c.Conv, out var k) && Contains(k, c.Kept)))
            .MaxBy(w => w.Channels);
        float t = narrower is null ? 0f : (float)(wider.Channels - channels) / (wider.Channels - narrower.Channels);
        var network = pruning.Network;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var channelsOfWider in wider.Layers)
        {
            var conv = channelsOfWider.Conv;
            var layer = network.ConvLayers.First(l => l.Name == conv);
            var batchNorm = network.GetBatchNorm(layer);
            var inNarrower = narrower?.Layers.First(c => c.Conv == conv);
            float[] mean = [.. kept[conv].Select(c => Interpolate(channelsOfWider, inNarrower, c, t, x => x.Mean))];
            float[] variance = [.. kept[conv].Select(c => Interpolate(channelsOfWider, inNarrower, c, t, x => x.Variance))];
            var device = batchNorm.running_mean!.device;
            batchNorm.running_mean.copy_(tensor(mean, device: device));
            batchNorm.running_var!.copy_(tensor(variance, device: device));
            batchNorm.num_batches_tracked!.copy_(tensor(wider.Batches, device: device));
        }

        return wider.Ratio;
    }

    /// <summary>Whether these statistics were measured on a network with <paramref name="dense"/>'s convs and widths.</summary>
    public bool Fits(CnnNetwork dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var filters = dense.ConvLayers.ToDictionary(l => l.Name, l => l.OutChannels, StringComparer.Ordinal);
        return _widths.All(w => w.Layers.Count == filters.Count && w.Layers.All(c => filters.TryGetValue(c.Conv, out int n) && c.Kept.Length <= n && (c.Kept.Length == 0 || c.Kept[^1] < n)));
    }

    /// <summary>Writes the statistics to <paramref name="stream"/> (layout in the remarks).</summary>
    public void Save(Stream stream) => ChecksummedStream.Write(stream, Magic, Version, writer =>
    {
        writer.Write(_widths.Count);
        foreach (var width in _widths)
        {
            writer.Write(width.Ratio);
            writer.Write(width.Batches);
            writer.Write(width.Layers.Count);
            foreach (var channels in width.Layers)
            {
                writer.Write(channels.Conv);
                writer.Write(channels.Kept.Length);
                foreach (int index in channels.Kept)
                {
                    writer.Write(index);
                }

                foreach (float mean in channels.Mean)
                {
                    writer.Write(mean);
                }

                foreach (float variance in channels.Variance)
                {
                    writer.Write(variance);
                }
            }
        }
    });

    /// <summary>Reads statistics that <see cref="Save"/> wrote; a wrong magic, version, hash or value throws <see cref="InvalidDataException"/>.</summary>
    public static WidthStatistics Load(Stream stream) => ChecksummedStream.Read(stream, Magic, Version, "width statistics", reader =>
    {
        int count = Count(reader.ReadInt32(), 1000, "widths");
        var widths = new List<Width>(count);
        for (int w = 0; w < count; w++)
        {
            double ratio = reader.ReadDouble();
            if (!(ratio > 0 && ratio < 1))
            {
                throw new InvalidDataException($"Width statistics ratio {ratio} is outside (0, 1).");
            }

            long batches = reader.ReadInt64();
            int layers = Count(reader.ReadInt32(), 100_000, "BatchNorms");
            var list = new List<Channels>(layers);
            for (int l = 0; l < layers; l++)
            {
                string conv = reader.ReadString();
                int kept = Count(reader.ReadInt32(), 1 << 20, $"channels of '{conv}'");
                int[] indices = [.. Enumerable.Range(0, kept).Select(_ => reader.ReadInt32())];
                if (indices.Zip(indices.Skip(1)).Any(p => p.First >= p.Second) || (kept > 0 && indices[0] < 0))
                {
                    throw new InvalidDataException($"Width statistics of '{conv}' at ratio {ratio}: kept filter indices are not ascending and non-negative.");
                }

                float[] means = [.. Enumerable.Range(0, kept).Select(_ => reader.ReadSingle())];
                float[] variances = [.. Enumerable.Range(0, kept).Select(_ => reader.ReadSingle())];
                list.Add(new Channels(conv, indices, means, variances));
            }

            widths.Add(new Width(ratio, batches, list));
        }

        return new WidthStatistics(widths);
    });

    private static int Count(int value, int max, string what) =>
        value >= 0 && value <= max ? value : throw new InvalidDataException($"Invalid number of {what} in width statistics: {value}.");

    private static float[] Values(Tensor buffer)
    {
        using var scope = NewDisposeScope();
        return buffer.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
    }

    // Channel c's statistic from the wider width, moved the fraction t towards the narrower width's where that keeps c.
    private static float Interpolate(Channels wider, Channels? narrower, int c, float t, Func<Channels, float[]> statistic)
    {
        float fromWider = statistic(wider)[Array.BinarySearch(wider.Kept, c)];
        int position = narrower is null ? -1 : Array.BinarySearch(narrower.Kept, c);
        return position < 0 ? fromWider : fromWider + (t * (statistic(narrower!)[position] - fromWider));
    }

    // Both ascending: every element of subset is in superset.
    private static bool Contains(int[] superset, int[] subset) => subset.All(c => Array.BinarySearch(superset, c) >= 0);

    private static void CheckEveryBatchNormCovered(CnnNetwork network, int covered)
    {
        int batchNorms = network.modules().OfType<BatchNorm2d>().Count();
        if (batchNorms != covered)
        {
            throw new InvalidOperationException($"{network.Architecture} has {batchNorms} BatchNorms but {covered} follow a conv; width statistics cover BatchNorms after convs only.");
        }
    }

    /// <summary>One stored width: its ratio, the batches its statistics averaged, and every BatchNorm's statistics.</summary>
    private sealed record Width(double Ratio, long Batches, IReadOnlyList<Channels> Layers)
    {
        /// <summary>The channels every BatchNorm of this width keeps, summed.</summary>
        public int Channels { get; } = Layers.Sum(c => c.Kept.Length);
    }

    /// <summary>The BatchNorm after conv <paramref name="Conv"/>: the dense filter indices it kept (ascending) and their running statistics.</summary>
    private sealed record Channels(string Conv, int[] Kept, float[] Mean, float[] Variance);
}
