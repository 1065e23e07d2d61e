using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// Structured filter pruning in GReg's conventions: per conv (local ranking) the filters with the smallest L1 norm
/// go, n_pruned = min(⌈ratio · n⌉, n − 1) computed in double. Among equal norms the lower filter index is kept first
/// (a stable order), so results are deterministic. Removal is physical: a new network of the same architecture is
/// built with fewer channels and receives sliced copies of the conv filters, their BatchNorm (weight, bias, running
/// mean and variance, batch counter), the consumers' input channels and the classifier's input features.
/// </summary>
internal static class FilterPruner
{
    /// <summary>Prunes a copy of <paramref name="dense"/> with <paramref name="plan"/>; <paramref name="dense"/> is never modified.</summary>
    /// <param name="dense">The trained network; stays as it is.</param>
    /// <param name="plan">Which convs lose which fraction of filters.</param>
    /// <param name="rounding">Optional rounding of kept counts up to a multiple; null (default) uses the plan's own (<see cref="PruningPlan.ChannelRounding"/>, none unless the plan says 'round N').</param>
    public static PruningResult Prune(CnnNetwork dense, PruningPlan plan, ChannelRounding? rounding = null)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(plan);
        if (dense.IsBatchNormFolded)
        {
            throw new ArgumentException($"This {dense.Architecture} has its BatchNorms folded for inference (ForInference()); prune the trainable network and fold the result.", nameof(dense));
        }

        rounding ??= plan.ChannelRounding;
        var toPrune = plan.LayersToPrune(dense).ToHashSet();
        var layers = new List<LayerPruning>();
        CnnNetwork pruned;
        using (no_grad())
        {
            foreach (var layer in dense.ConvLayers)
            {
                int n = layer.OutChannels;
                if (!toPrune.Contains(layer))
                {
                    layers.Add(new LayerPruning(layer, 0, n, [.. Enumerable.Range(0, n)]));
                    continue;
                }

                double ratio = plan.RatioFor(dense, layer);
                int kept = n - PrunedCount(n, ratio);
                kept = rounding?.Round(kept, n) ?? kept;
                layers.Add(new LayerPruning(layer, ratio, n, KeptFilterIndices(dense.GetConv(layer).weight!, kept)));
            }

            int[] widths = [.. dense.Widths];
            foreach (var layer in layers.Where(l => !l.Layer.IsShortcut))
            {
                widths[layer.Layer.LayerIndex] = layer.KeptFilters;
            }

            pruned = CnnZoo.Create(dense.Architecture, dense.InputShape, dense.ClassCount, widths);
            pruned.to(dense.parameters().First().device);
            CopySlicedWeights(dense, pruned, layers);
        }

        pruned.train(dense.training);
        return new PruningResult(pruned, plan, layers, ComplexityCounter.Measure(dense), ComplexityCounter.Measure(pruned));
    }

    /// <summary>GReg's count of removed filters: min(⌈ratio · n⌉, n − 1) in double; never all filters.</summary>
    public static int PrunedCount(int filters, double ratio) => Math.Min((int)Math.Ceiling(ratio * filters), filters - 1);

    /// <summary>
    /// Indices (ascending) of the <paramref name="kept"/> filters with the largest L1 norm; equal norms keep the lower
    /// index first.
    /// </summary>
    public static int[] KeptFilterIndices(Tensor weight, int kept)
    {
        using var scope = NewDisposeScope();
        double[] norms = FilterNorms(weight);
        int[] order = [.. Enumerable.Range(0, norms.Length)];
        Array.Sort(order, (a, b) => norms[a] != norms[b] ? norms[b].CompareTo(norms[a]) : a.CompareTo(b));
        int[] result = order[..kept];
        Array.Sort(result);
        return result;
    }

    /// <summary>L1 norm of every filter (output channel) of a conv weight, in double.</summary>
    public static double[] FilterNorms(Tensor weight)
    {
        using var scope = NewDisposeScope();
        return weight.detach().to(ScalarType.Float64).abs().flatten(1).sum(1).data<double>().ToArray();
    }

    private static void CopySlicedWeights(CnnNetwork dense, CnnNetwork pruned, IReadOnlyList<LayerPruning> layers)
    {
        using var scope = NewDisposeScope();
        var device = dense.parameters().First().device;
        var outKept = layers.Where(l => l.IsPruned).ToDictionary(l => l.Layer.Name, l => tensor(l.KeptIndices.Select(i => (long)i).ToArray(), device: device));
        var inKept = new Dictionary<string, Tensor>();
        Tensor? classifierFeatures = null;
        foreach (var layer in layers.Where(l => l.IsPruned))
        {
            var consumers = dense.GetConsumers(layer.Layer);
            foreach (var consumer in consumers.Convs)
            {
                inKept[consumer.Name] = outKept[layer.Layer.Name];
            }

            if (consumers.ClassifierFeaturesPerChannel > 0)
            {
                long k = consumers.ClassifierFeaturesPerChannel;
                classifierFeatures = (outKept[layer.Layer.Name].unsqueeze(1) * k + arange(k, device: device)).flatten();
            }
        }

        var source = dense.state_dict();
        var target = pruned.state_dict();
        var copied = new HashSet<string>(StringComparer.Ordinal);
        void Copy(string name, Tensor? outIndex, Tensor? inIndex)
        {
            var value = source[name];
            if (outIndex is not null && value.dim() > 0)
            {
                value = value.index_select(0, outIndex);
            }

            if (inIndex is not null)
            {
                value = value.index_select(1, inIndex);
            }

            target[name].copy_(value);
            copied.Add(name);
        }

        foreach (var layer in dense.ConvLayers)
        {
            var outIndex = outKept.GetValueOrDefault(layer.Name);
            Copy($"{layer.Name}.weight", outIndex, inKept.GetValueOrDefault(layer.Name));
            if (source.ContainsKey($"{layer.Name}.bias"))
            {
                Copy($"{layer.Name}.bias", outIndex, null);
            }

            string bn = dense.GetBatchNormName(layer);
            foreach (string buffer in new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" })
            {
                Copy($"{bn}.{buffer}", outIndex, null);
            }
        }

        Copy($"{dense.ClassifierName}.weight", null, classifierFeatures);
        Copy($"{dense.ClassifierName}.bias", null, null);

        var missed = target.Keys.Where(k => !copied.Contains(k)).ToList();
        if (missed.Count > 0)
        {
            throw new InvalidOperationException($"Pruning {dense.Architecture} left state entries without weights: {string.Join(", ", missed)}.");
        }
    }
}
