using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// A sub-network of the shared weights for one forward pass of sandwich training: the network that pruning at some ratio
/// leaves, computed by slicing the full network's parameters. A conv the pruning shrinks convolves with the rows of its
/// weight for the filters it keeps, its BatchNorm normalizes those channels only, a conv reading them uses the matching
/// input columns, and the classifier reads the kept features with its bias raised by what the removed channels leave
/// there: 0, or with compensation the expected ReLU output <c>E[ReLU(gamma z + beta)]</c> that compensation adds to the
/// bias (<see cref="FilterPruner"/>). So a pass computes what the physically pruned network computes, at the cost of that
/// narrower network, and its gradients flow into the full network's parameters (zero for the removed filters).
/// </summary>
/// <remarks>
/// While a sub-network is active no BatchNorm updates its running statistics or its counter (the pass normalizes with its
/// batch statistics): the statistics stay those of the full network. A conv reading removed channels simply lacks them:
/// the shift compensation adds to its BatchNorm's running mean is one that batch statistics (and recalibration) replace.
/// Thread-local, set for one pass by <see cref="Activate"/>.
/// The index tensors belong to the dispose scope the sub-network is built in.
/// </remarks>
internal sealed class SubNetwork
{
    [ThreadStatic]
    private static SubNetwork? _active;

    private readonly Dictionary<Conv2d, Tensor> _keptFilters = [];
    private readonly Dictionary<Conv2d, Tensor> _keptInputs = [];
    private readonly Dictionary<BatchNorm2d, Tensor> _keptChannels = [];
    private readonly bool _routesChannelsLast;
    private readonly Linear _classifier;
    private Tensor? _keptFeatures;
    private Tensor? _removedFeatures;
    private Tensor? _fill;

    /// <summary>
    /// The sub-network of <paramref name="model"/> that keeps, in each conv of <paramref name="kept"/>, the filters listed
    /// there (any order; every other conv keeps all its filters), with the classifier compensated when
    /// <paramref name="compensate"/> is true, as <see cref="FilterPruner"/> prunes.
    /// </summary>
    /// <exception cref="ArgumentException">A list is empty, repeats a filter or names one outside its conv.</exception>
    public SubNetwork(CnnNetwork model, IReadOnlyList<(ConvLayerInfo Layer, int[] Kept)> kept, bool compensate, Device device)
    {
        _routesChannelsLast = model.RoutesConvolutionsChannelsLast;
        _classifier = model.Classifier;
        foreach (var (layer, filters) in kept)
        {
            long[] sorted = [.. filters.Distinct().Order().Select(f => (long)f)];
            if (sorted.Length == 0 || sorted.Length != filters.Length || sorted[0] < 0 || sorted[^1] >= layer.OutChannels)
            {
                throw new ArgumentException($"Conv '{layer.Name}' keeps {filters.Length} filters: expected 1 to {layer.OutChannels} distinct filters in [0, {layer.OutChannels}).", nameof(kept));
            }

            if (sorted.Length == layer.OutChannels)
            {
                continue;
            }

            var indices = tensor(sorted, device: device);
            var batchNorm = model.GetBatchNorm(layer);
            _keptFilters[model.GetConv(layer)] = indices;
            _keptChannels[batchNorm] = indices;
            var consumers = model.GetConsumers(layer);
            foreach (var consumer in consumers.Convs)
            {
                _keptInputs[model.GetConv(consumer)] = indices;
            }

            if (consumers.ClassifierFeaturesPerChannel > 0)
            {
                ReadFromClassifier(layer, sorted, consumers.ClassifierFeaturesPerChannel, compensate ? batchNorm : null, device);
            }
        }
    }

    /// <summary>Whether a sub-network pass is running on this thread.</summary>
    public static bool IsActive => _active is not null;

    /// <summary>Makes this the sub-network of the passes on this thread until the returned scope is disposed.</summary>
    /// <exception cref="InvalidOperationException">Another sub-network is active on this thread.</exception>
    public IDisposable Activate()
    {
        if (_active is not null)
        {
            throw new InvalidOperationException("A sub-network pass is already running on this thread.");
        }

        _active = this;
        return new Scope();
    }

    /// <summary>
    /// <c>conv(input)</c> in the active sub-network when it slices <paramref name="conv"/> (kept filters, kept input
    /// channels), through the same channels-last routing as the conv's own call; null when there is nothing to slice.
    /// </summary>
    public static Tensor? Convolve(Conv2d conv, Tensor input)
    {
        if (_active is not { } active)
        {
            return null;
        }

        bool slicesFilters = active._keptFilters.TryGetValue(conv, out var filters);
        bool slicesInputs = active._keptInputs.TryGetValue(conv, out var inputs);
        if (!slicesFilters && !slicesInputs)
        {
            return null;
        }

        Tensor weight = slicesFilters ? conv.weight!.index_select(0, filters!) : conv.weight!;
        weight = slicesInputs ? weight.index_select(1, inputs!) : weight;
        Tensor? bias = conv.bias is { } b && slicesFilters ? b.index_select(0, filters!) : conv.bias;
        var routed = active._routesChannelsLast ? CnnNetwork.RouteForChannelsLast(conv, input) : input;
        return nn.functional.conv2d(routed, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups);
    }

    /// <summary>The channels of <paramref name="batchNorm"/> that the active sub-network keeps; null when it keeps all (or none is active).</summary>
    public static Tensor? KeptChannels(BatchNorm2d batchNorm) =>
        _active is { } active && active._keptChannels.TryGetValue(batchNorm, out var kept) ? kept : null;

    /// <summary><c>classifier(features)</c> in the active sub-network when it reads fewer features; null otherwise.</summary>
    public static Tensor? Classify(Linear classifier, Tensor features)
    {
        if (_active is not { _keptFeatures: { } kept } active || !ReferenceEquals(active._classifier, classifier))
        {
            return null;
        }

        var weight = classifier.weight!;
        Tensor bias = classifier.bias!;
        if (active._removedFeatures is { } removed && active._fill is { } fill)
        {
            // What the removed channels put on the classifier, W[:, removed] fill: compensation folds it into the bias.
            bias = bias.add(weight.index_select(1, removed).mv(fill), CachedScalars.One);
        }

        return nn.functional.linear(features, weight.index_select(1, kept), bias);
    }

    // The classifier features of the kept channels (channel c owns features c*k ... c*k+k-1), and with compensation the
    // removed features with their constant: the removed channel's expected ReLU output, which max- and average-pooling keep.
    private void ReadFromClassifier(ConvLayerInfo layer, long[] kept, int featuresPerChannel, BatchNorm2d? compensated, Device device)
    {
        if (_keptFeatures is not null)
        {
            throw new InvalidOperationException($"The classifier reads more than one pruned conv ('{layer.Name}' too); a sub-network slices the features of one.");
        }

        long[] Features(IEnumerable<long> channels) => [.. channels.SelectMany(c => Enumerable.Range(0, featuresPerChannel).Select(s => (c * featuresPerChannel) + s))];
        _keptFeatures = tensor(Features(kept), device: device);
        if (compensated is null)
        {
            return;
        }

        long[] removed = [.. Enumerable.Range(0, layer.OutChannels).Select(c => (long)c).Except(kept)];
        var removedChannels = tensor(removed, device: device);
        _removedFeatures = tensor(Features(removed), device: device);
        _fill = FilterPruner.ExpectedRelu(compensated.weight!.detach().index_select(0, removedChannels), compensated.bias!.detach().index_select(0, removedChannels))
            .repeat_interleave(featuresPerChannel);
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => _active = null;
    }
}
