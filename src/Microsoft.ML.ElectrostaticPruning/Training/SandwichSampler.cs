using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// The sub-networks of sandwich training (<see cref="AnyRatioTrainingOptions"/>) for one network and plan: the filter
/// ranking of each prunable conv (refreshed at the start of every epoch, fixed through it) and the network pruned at a ratio, as a sliced <see cref="Training.SubNetwork"/>.
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

    /// <summary>
    /// The ranking the sub-networks of the current epoch train over (the last epoch's is the one pruning keeps, see
    /// <see cref="FilterOrder"/>); null before the first <see cref="BeginEpoch"/>.
    /// </summary>
    public FilterOrder? Order => _ranking.Count == 0 ? null : new FilterOrder(_plan.Ranking, _ranking, NarrowestKept());

    /// <summary>The ratios of the sub-networks of step <paramref name="step"/>: the narrowest first (every other step with one sub-network), then random ones (only random ones with <see cref="AnyRatioTrainingOptions.RandomRatiosOnly"/>).</summary>
    public IReadOnlyList<double> Ratios(int step, Random random)
    {
        var ratios = new List<double>(_options.SubNetworks);
        for (int i = 0; i < _options.SubNetworks; i++)
        {
            bool narrowest = !_options.RandomRatiosOnly && (_options.SubNetworks == 1 ? step % 2 == 0 : i == 0);
            ratios.Add(narrowest ? _options.MaxRatio : _options.MinRatio + (random.NextDouble() * (_options.MaxRatio - _options.MinRatio)));
        }

        return ratios;
    }

    // The filters the narrowest sub-network (MaxRatio) keeps in each conv it prunes.
    private Dictionary<string, int> NarrowestKept()
    {
        var plan = SweepAt(_options.MaxRatio);
        int[] removed = FilterPruner.RemovedCounts(_model, plan);
        return plan.LayersToPrune(_model).Select((layer, i) => (layer, i)).ToDictionary(p => p.layer.Name, p => p.layer.OutChannels - removed[p.i], StringComparer.Ordinal);
    }

    private PruningPlan SweepAt(double ratio) => _plan.SweepAt(_model.Architecture, ratio);

    /// <summary>The sub-network that the paper's sweep at <paramref name="ratio"/> (with the plan's ranking and compensation) leaves.</summary>
    public SubNetwork SubNetwork(double ratio, Device device)
    {
        var plan = SweepAt(ratio);
        var layers = plan.LayersToPrune(_model);
        int[] removed = FilterPruner.RemovedCounts(_model, plan);
        var kept = layers.Select((layer, i) => (layer, _ranking[layer.Name][..(layer.OutChannels - removed[i])])).ToArray();
        return new SubNetwork(_model, kept, plan.Compensate, device);
    }
}
