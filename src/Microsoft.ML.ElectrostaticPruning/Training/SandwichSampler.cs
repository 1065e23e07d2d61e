using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// The sub-networks of sandwich training (<see cref="AnyRatioTrainingOptions"/>) for one network and plan: the filter
/// ranking of each prunable conv (refreshed once per epoch) and the channel masks of the network pruned at a ratio.
/// </summary>
internal sealed class SandwichSampler
{
    private readonly CnnNetwork _model;
    private readonly AnyRatioTrainingOptions _options;
    private readonly PruningPlan _plan;
    private readonly Dictionary<string, int[]> _ranking = new(StringComparer.Ordinal);

    public SandwichSampler(CnnNetwork model, AnyRatioTrainingOptions options, PruningPlan plan)
    {
        _model = model;
        _options = options;
        _plan = plan;
    }

    /// <summary>Re-ranks the filters of every prunable conv by the plan's ranking (strongest first).</summary>
    public void BeginEpoch()
    {
        _ranking.Clear();
        foreach (var layer in _model.ConvLayers.Where(l => l.IsPrunable))
        {
            double[] norms = FilterPruner.RankingNorms(_model, layer, _plan.Ranking);
            _ranking[layer.Name] = [.. Enumerable.Range(0, norms.Length).OrderByDescending(i => norms[i]).ThenBy(i => i)];
        }
    }

    /// <summary>The ratios of the sub-networks of step <paramref name="step"/>: the narrowest first (every other step with one sub-network), then random ones.</summary>
    public IReadOnlyList<double> Ratios(int step, Random random)
    {
        var ratios = new List<double>(_options.SubNetworks);
        for (int i = 0; i < _options.SubNetworks; i++)
        {
            bool narrowest = _options.SubNetworks == 1 ? step % 2 == 0 : i == 0;
            ratios.Add(narrowest ? _options.MaxRatio : _options.MinRatio + (random.NextDouble() * (_options.MaxRatio - _options.MinRatio)));
        }

        return ratios;
    }

    /// <summary>The masks of the network that the paper's sweep at <paramref name="ratio"/> (with the plan's ranking and compensation) leaves.</summary>
    public Dictionary<BatchNorm2d, (Tensor Mask, Tensor? Fill)> Masks(double ratio, Device device)
    {
        var plan = PruningPlan.PaperSweep(_model.Architecture, ratio).WithRanking(_plan.Ranking).WithCompensation(_plan.Compensate);
        var layers = plan.LayersToPrune(_model);
        int[] removed = FilterPruner.RemovedCounts(_model, plan);
        var masks = new Dictionary<BatchNorm2d, (Tensor, Tensor?)>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var values = new float[layer.OutChannels];
            foreach (int kept in _ranking[layer.Name].AsSpan(0, layer.OutChannels - removed[i]))
            {
                values[kept] = 1;
            }

            var batchNorm = _model.GetBatchNorm(layer);
            var mask = tensor(values, [1, layer.OutChannels, 1, 1], device: device);
            // With compensation the pruned network adds a removed channel's expected ReLU output E[ReLU(gamma z + beta)]
            // to its consumers: to the classifier's bias, and to the next BatchNorm's running mean, which batch statistics
            // (and recalibration) replace. So the masked pass puts that constant (non-negative: ReLU keeps it) where a
            // channel feeding the classifier was, and 0 where a channel feeding a conv was, as the pruned network does in
            // train mode.
            Tensor? fill = plan.Compensate && _model.GetConsumers(layer).ClassifierFeaturesPerChannel > 0
                ? tensor(values.Select(v => 1 - v).ToArray(), [1, layer.OutChannels, 1, 1], device: device)
                    .mul_(FilterPruner.ExpectedRelu(batchNorm.weight!.detach(), batchNorm.bias!.detach()).view(1, -1, 1, 1))
                : null;
            masks[batchNorm] = (mask, fill);
        }

        return masks;
    }
}
