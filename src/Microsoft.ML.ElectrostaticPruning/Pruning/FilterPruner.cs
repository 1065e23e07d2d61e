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
    /// <param name="order">
    /// The order sandwich training trained over (<see cref="FilterOrder"/>): when the plan ranks by its ranking, a conv it
    /// covers keeps the first filters of its order instead of the highest-ranked weights (below the narrowest trained
    /// sub-network, the highest-ranked of that sub-network's filters); null (default) ranks the weights.
    /// </param>
    public static PruningResult Prune(CnnNetwork dense, PruningPlan plan, ChannelRounding? rounding = null, FilterOrder? order = null)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(plan);
        if (dense.IsBatchNormFolded)
        {
            throw new ArgumentException($"This {dense.Architecture} has its BatchNorms folded for inference (ForInference()); prune the trainable network and fold the result.", nameof(dense));
        }

        rounding ??= plan.ChannelRounding;
        if (order is not null && (order.Ranking != plan.Ranking || !order.Fits(dense)))
        {
            order = null;
        }

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
                int kept = n - RemovedCount(n, ratio, rounding);
                layers.Add(new LayerPruning(layer, ratio, n, order?.Kept(layer.Name, kept, () => RankingNorms(dense, layer, plan.Ranking)) ?? KeptFilterIndices(RankingNorms(dense, layer, plan.Ranking), kept)));
            }

            int[] widths = [.. dense.Widths];
            foreach (var layer in layers.Where(l => !l.Layer.IsShortcut))
            {
                widths[layer.Layer.LayerIndex] = layer.KeptFilters;
            }

            pruned = CnnZoo.Create(dense.Architecture, dense.InputShape, dense.ClassCount, widths);
            pruned.InputNormalization = dense.InputNormalization;
            pruned.to(dense.parameters().First().device);
            CopySlicedWeights(dense, pruned, layers);
            if (plan.Compensate)
            {
                CompensateRemovedChannels(dense, pruned, layers);
            }
        }

        pruned.train(dense.training);
        return new PruningResult(pruned, plan, layers, ComplexityCounter.Measure(dense), ComplexityCounter.Measure(pruned));
    }

    /// <summary>
    /// How many filters <paramref name="plan"/> removes from each of its layers to prune (in the order of
    /// <see cref="PruningPlan.LayersToPrune"/>, the order of <see cref="PruningPlan.WeightsToRegularize"/>): what
    /// <see cref="Prune"/> removes, channel rounding included.
    /// </summary>
    public static int[] RemovedCounts(CnnNetwork dense, PruningPlan plan)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(plan);
        var rounding = plan.ChannelRounding;
        return [.. plan.LayersToPrune(dense).Select(l => RemovedCount(l.OutChannels, plan.RatioFor(dense, l), rounding))];
    }

    private static int RemovedCount(int filters, double ratio, ChannelRounding? rounding)
    {
        int kept = filters - PrunedCount(filters, ratio);
        return filters - (rounding?.Round(kept, filters) ?? kept);
    }

    /// <summary>GReg's count of removed filters: min(⌈ratio · n⌉, n − 1) in double; never all filters.</summary>
    public static int PrunedCount(int filters, double ratio) => Math.Min((int)Math.Ceiling(ratio * filters), filters - 1);

    /// <summary>
    /// Indices (ascending) of the <paramref name="kept"/> filters with the largest L1 norm; equal norms keep the lower
    /// index first.
    /// </summary>
    public static int[] KeptFilterIndices(Tensor weight, int kept) => KeptFilterIndices(FilterNorms(weight), kept);

    /// <summary>Indices (ascending) of the <paramref name="kept"/> largest <paramref name="norms"/>; ties keep the lower index.</summary>
    public static int[] KeptFilterIndices(double[] norms, int kept)
    {
        int[] order = [.. Enumerable.Range(0, norms.Length)];
        Array.Sort(order, (a, b) => norms[a] != norms[b] ? norms[b].CompareTo(norms[a]) : a.CompareTo(b));
        int[] result = order[..kept];
        Array.Sort(result);
        return result;
    }

    /// <summary>The norm of every filter of <paramref name="layer"/> that <paramref name="ranking"/> ranks by (the highest are kept).</summary>
    public static double[] RankingNorms(CnnNetwork dense, ConvLayerInfo layer, FilterRanking ranking)
    {
        var weight = dense.GetConv(layer).weight!;
        return ranking == FilterRanking.FoldedL1Norm ? FoldedFilterNorms(weight, dense.GetBatchNorm(layer)) : FilterNorms(weight);
    }

    /// <summary>L1 norm of every filter after <paramref name="batchNorm"/> is folded in: <c>||W_n||_1 * |gamma_n| / sqrt(var_n + eps)</c>, in double.</summary>
    public static double[] FoldedFilterNorms(Tensor weight, TorchSharp.Modules.BatchNorm2d batchNorm)
    {
        using var scope = NewDisposeScope();
        var (folded, _) = BatchNormFolding.FoldedWeights(weight, null, batchNorm);
        return FilterNorms(folded);
    }

    /// <summary>L1 norm of every filter (output channel) of a conv weight, in double.</summary>
    public static double[] FilterNorms(Tensor weight)
    {
        using var scope = NewDisposeScope();
        return weight.detach().to(ScalarType.Float64).abs().flatten(1).sum(1).data<double>().ToArray();
    }

    /// <summary>
    /// Moves the expected output of every removed channel into its consumers (see <see cref="PruningPlan.Compensate"/>):
    /// a consumer conv's contribution <c>sum_k W'[o, c, k] m_c</c> leaves its BatchNorm running mean, a classifier's
    /// <c>sum_j W[o, j] m_c</c> over the channel's features joins its bias. Computed in double.
    /// </summary>
    private static void CompensateRemovedChannels(CnnNetwork dense, CnnNetwork pruned, IReadOnlyList<LayerPruning> layers)
    {
        using var scope = NewDisposeScope();
        var device = dense.parameters().First().device;
        var outKept = layers.Where(l => l.IsPruned).ToDictionary(l => l.Layer.Name, l => tensor(l.KeptIndices.Select(i => (long)i).ToArray(), device: device));
        foreach (var layer in layers.Where(l => l.IsPruned))
        {
            var removed = tensor(Enumerable.Range(0, layer.OriginalFilters).Except(layer.KeptIndices).Select(i => (long)i).ToArray(), device: device);
            var batchNorm = dense.GetBatchNorm(layer.Layer);
            var expected = ExpectedRelu(batchNorm.weight!.detach().index_select(0, removed).to(ScalarType.Float64), batchNorm.bias!.detach().index_select(0, removed).to(ScalarType.Float64));
            var consumers = dense.GetConsumers(layer.Layer);
            foreach (var consumer in consumers.Convs)
            {
                var weight = dense.GetConv(consumer).weight!.detach().to(ScalarType.Float64).index_select(1, removed);
                var shift = weight.sum([2, 3]).matmul(expected);
                if (outKept.TryGetValue(consumer.Name, out var kept))
                {
                    shift = shift.index_select(0, kept);
                }

                // The pruned network's own layer record (its filter count may differ from the dense one's).
                var mean = pruned.GetBatchNorm(pruned.ConvLayers.First(l => l.Name == consumer.Name)).running_mean!;
                mean.sub_(shift.to(mean.dtype));
            }

            if (consumers.ClassifierFeaturesPerChannel > 0)
            {
                long k = consumers.ClassifierFeaturesPerChannel;
                var features = removed.unsqueeze(1).Times(k).Plus(TensorArithmetic.Range(k, device)).flatten();
                var classifier = dense.Classifier.weight!.detach().to(ScalarType.Float64).index_select(1, features);
                var shift = classifier.view(classifier.shape[0], removed.shape[0], k).sum(2).matmul(expected);
                var bias = pruned.Classifier.bias!;
                bias.PlusInPlace(shift.to(bias.dtype));
            }
        }
    }

    /// <summary><c>E[ReLU(gamma z + beta)]</c> for <c>z ~ N(0, 1)</c>: <c>s phi(beta/s) + beta Phi(beta/s)</c> with <c>s = |gamma|</c>; <c>ReLU(beta)</c> when gamma is 0.</summary>
    internal static Tensor ExpectedRelu(Tensor gamma, Tensor beta)
    {
        using var scope = NewDisposeScope();
        var s = gamma.abs();
        var live = s.GreaterThan(1e-12);
        var safe = where(live, s, ones_like(s));
        var t = beta / safe;
        var pdf = t.Squared().Times(-0.5).exp().DividedBy(Math.Sqrt(2 * Math.PI));
        var cdf = t.Times(-1 / Math.Sqrt(2)).erfc().Times(0.5);
        return where(live, (safe * pdf).Plus(beta * cdf), beta.AtLeast(0)).MoveToOuterDisposeScope();
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
                classifierFeatures = outKept[layer.Layer.Name].unsqueeze(1).Times(k).Plus(TensorArithmetic.Range(k, device)).flatten();
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
