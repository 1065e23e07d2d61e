using System.Globalization;
using TorchSharp.Modules;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Which fraction of filters to remove from which conv, in the paper's (GReg's) formats:
/// a single ratio for every prunable conv (<c>0.5</c>); a per-stage list for ResNets
/// (<c>[0, 0.52, 0.52, 0.52, 0]</c>: stem, each residual stage, classifier); a layer map by GReg layer index
/// (<c>[0:0, 1-15:0.65]</c>, ranges inclusive, unlisted layers 0); the paper's sweep of whichever network it prunes
/// (<c>sweep 0.5</c>, see <see cref="PaperSweep(double)"/>; the default); a FLOPs speedup (<c>speedup 3</c>, see
/// <see cref="ForSpeedup"/>); optionally followed by a skip list of
/// <c>stage.block</c> prefixes whose convs get ratio 0 (<c>... skip 1.0,2.0,2.3,3.0,3.5</c>), and last by an
/// optional channel rounding (<c>... round 16</c>: kept filter counts rounded up to multiples of 16, see
/// <see cref="ChannelMultiple"/>; off unless written, so the paper's counts and speedups hold).
/// Ratios lie in [0, 1). Shortcut convs and the last conv of every residual block are never pruned.
/// The same plan selects the convs that the electrostatic regularizer acts on.
/// </summary>
public sealed class PruningPlan : IEquatable<PruningPlan>
{
    private readonly PlanKind _kind;
    private readonly double _uniformRatio;
    private readonly double[] _stageRatios;
    private readonly LayerRange[] _layerRanges;
    private readonly (int Stage, int Block)[] _skippedBlocks;
    private readonly int _channelMultiple;
    private readonly FilterRanking _ranking;
    private readonly bool _compensate;
    private readonly double _targetSpeedup;

    // The plan of ratios a speedup or sweep plan resolves to, per network shape (architecture, input, classes, widths): a memo of a pure function.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PruningPlan> _resolved = new(StringComparer.Ordinal);

    internal PruningPlan(PlanKind kind, double uniformRatio, double[] stageRatios, LayerRange[] layerRanges, (int Stage, int Block)[] skippedBlocks, int channelMultiple = 1, FilterRanking ranking = FilterRanking.L1Norm, bool compensate = false, double targetSpeedup = 0)
    {
        _targetSpeedup = targetSpeedup;
        _ranking = ranking;
        _compensate = compensate;
        _kind = kind;
        _uniformRatio = uniformRatio;
        _stageRatios = stageRatios;
        _layerRanges = layerRanges;
        _skippedBlocks = skippedBlocks;
        _channelMultiple = channelMultiple;
    }

    /// <summary>Which of the plan formats this is.</summary>
    internal enum PlanKind
    {
        /// <summary>One ratio for every prunable conv.</summary>
        Uniform,

        /// <summary>A ResNet per-stage list.</summary>
        Stages,

        /// <summary>A layer map by GReg layer index.</summary>
        Layers,

        /// <summary>The smallest paper-sweep ratio whose FLOPs speedup reaches a target, resolved per network.</summary>
        Speedup,

        /// <summary>The paper's sweep at one ratio (<see cref="PaperSweep(double)"/>), resolved per network.</summary>
        Sweep,
    }

    /// <summary>The format.</summary>
    internal PlanKind Kind => _kind;

    /// <summary>The ratios of a per-stage list (stem, stages, classifier).</summary>
    internal IReadOnlyList<double> StageRatios => _stageRatios;

    /// <summary>The ranges of a layer map.</summary>
    internal IReadOnlyList<LayerRange> LayerRanges => _layerRanges;

    /// <summary>The skipped (stage, block) pairs.</summary>
    internal IReadOnlyList<(int Stage, int Block)> SkippedPairs => _skippedBlocks;

    /// <summary>The <c>stage.block</c> prefixes forced to ratio 0, as written (e.g. "2.3").</summary>
    public IReadOnlyList<string> SkippedBlocks => [.. _skippedBlocks.Select(s => $"{s.Stage}.{s.Block}")];

    /// <summary>Kept filter counts are rounded up to a multiple of this (capped at the original count); 1 = the paper's counts.</summary>
    public int ChannelMultiple => _channelMultiple;

    /// <summary>Which norm ranks the filters of a layer; the highest-ranked are kept. Default <see cref="FilterRanking.L1Norm"/> (the paper's).</summary>
    public FilterRanking Ranking => _ranking;

    /// <summary>
    /// Whether the pruner replaces each removed channel by its expected output instead of dropping it: the expected
    /// activation <c>m_c = E[ReLU(gamma_c z + beta_c)] = |gamma_c| phi(beta_c/|gamma_c|) + beta_c Phi(beta_c/|gamma_c|)</c>,
    /// <c>z ~ N(0, 1)</c>, is what BatchNorm's running statistics say the channel outputs on average; its contribution to
    /// each consumer is moved into that consumer's BatchNorm running mean (or the classifier's bias), so the next layers
    /// keep their input statistics. Exact for a dead channel (gamma = 0) away from padded borders; a first-order correction
    /// for a live one (and an underestimate behind a max-pool). Data-free: no image is read. Plan text suffix <c>compensate</c>.
    /// Default false (the paper removes channels without correction).
    /// </summary>
    public bool Compensate => _compensate;

    /// <summary>The rounding <see cref="ChannelMultiple"/> describes, or null when it is 1.</summary>
    internal ChannelRounding? ChannelRounding => _channelMultiple > 1 ? new ChannelRounding(_channelMultiple) : null;

    /// <summary>Parses a plan in any of the formats described on <see cref="PruningPlan"/>; <see cref="ToString"/> gives text that parses back to an equal plan.</summary>
    /// <exception cref="FormatException">The text is not a plan; the message names the offending token and what was expected.</exception>
    public static PruningPlan Parse(string text) => PruningPlanParser.Parse(text);

    /// <summary>Every prunable conv loses <paramref name="ratio"/> of its filters.</summary>
    /// <param name="ratio">Fraction of filters to remove, in [0, 1).</param>
    public static PruningPlan Uniform(double ratio) => new(PlanKind.Uniform, CheckRatio(ratio, nameof(ratio)), [], [], []);

    /// <summary>
    /// The plan the paper sweeps at <paramref name="ratio"/> (Figure 2): for VGG GReg's <c>[0:0, 1-n:ratio]</c> (the first
    /// conv keeps all filters, n the last conv's index); for every other network <see cref="Uniform"/> (for the CIFAR
    /// ResNets the same as <c>[0, r, r, r, 0]</c>). Ratio 0 gives <c>Uniform(0)</c> for every network.
    /// </summary>
    /// <param name="architecture">The network the plan is for.</param>
    /// <param name="ratio">Fraction of filters to remove, in [0, 1).</param>
    public static PruningPlan PaperSweep(CnnArchitecture architecture, double ratio)
    {
        CheckRatio(ratio, nameof(ratio));
        bool vgg = architecture is CnnArchitecture.Vgg11 or CnnArchitecture.Vgg13 or CnnArchitecture.Vgg16 or CnnArchitecture.Vgg19;
        return vgg && ratio > 0
            ? Parse(FormattableString.Invariant($"[0:0, 1-{CnnZoo.DefaultWidths(architecture).Length - 1}:{ratio:R}]"))
            : Uniform(ratio);
    }

    /// <summary>
    /// The paper's sweep at <paramref name="ratio"/> for whichever network the plan prunes: on each network it is
    /// <see cref="PaperSweep(CnnArchitecture, double)"/> of that network's architecture (VGG: the first conv keeps all filters;
    /// every other network: <see cref="Uniform"/>), with this plan's skip list, rounding, ranking and compensation. It is the
    /// plan whose layers the sub-networks of any-ratio training, the stored widths and <see cref="ForSpeedup"/> use, so a
    /// model trained for a range and pruned by it gives the networks it trained; the default plan is
    /// <c>PaperSweep(0.5)</c> (text <c>sweep 0.5 rank folded compensate</c>).
    /// </summary>
    /// <param name="ratio">Fraction of filters to remove from each conv the sweep prunes, in [0, 1).</param>
    public static PruningPlan PaperSweep(double ratio) => new(PlanKind.Sweep, CheckRatio(ratio, nameof(ratio)), [], [], []);

    /// <summary>The paper's sweep at <paramref name="ratio"/> for <paramref name="architecture"/> with this plan's ranking and compensation: the plan every ratio of an any-ratio model, its sub-networks and its default sweep use.</summary>
    internal PruningPlan SweepAt(CnnArchitecture architecture, double ratio) => PaperSweep(architecture, ratio).WithRanking(_ranking).WithCompensation(_compensate);

    /// <summary>
    /// The plan that reaches a FLOPs speedup rather than a ratio: the smallest <see cref="PaperSweep(CnnArchitecture, double)"/> ratio (on a grid of
    /// 0.001) whose pruned network needs at most <c>1 / <paramref name="speedup"/></c> of the dense network's multiply-adds,
    /// found for each network it prunes (its architecture, input size and widths decide); text form <c>speedup 3</c>.
    /// The per-layer ratios it resolves to are in the model's summary. Skip lists, <c>round</c>, the ranking and
    /// compensation added to it take part in the search. A network that cannot reach the speedup (even at ratio 0.999)
    /// is refused with the largest speedup it can reach.
    /// </summary>
    /// <param name="speedup">Dense FLOPs over pruned FLOPs, finite and at least 1 (1 prunes nothing), e.g. 2, 3.7 or 6.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="speedup"/> is below 1 or not finite.</exception>
    public static PruningPlan ForSpeedup(double speedup) =>
        double.IsFinite(speedup) && speedup >= 1
            ? new PruningPlan(PlanKind.Speedup, 0, [], [], [], targetSpeedup: speedup)
            : throw new ArgumentOutOfRangeException(nameof(speedup), speedup, "The FLOPs speedup must be finite and at least 1 (1 prunes nothing), e.g. 3.");

    /// <summary>The FLOPs speedup a <see cref="ForSpeedup"/> plan aims at; null for a plan of ratios.</summary>
    public double? TargetSpeedup => _kind == PlanKind.Speedup ? _targetSpeedup : null;

    /// <summary>A per-stage list for ResNets: stem, each residual stage, classifier (which must be 0).</summary>
    /// <param name="ratios">One ratio in [0, 1) per stage.</param>
    public static PruningPlan FromStageRatios(IReadOnlyList<double> ratios)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        if (ratios.Count == 0)
        {
            throw new ArgumentException("A per-stage list needs at least one ratio.", nameof(ratios));
        }

        return new(PlanKind.Stages, 0, [.. ratios.Select(r => CheckRatio(r, nameof(ratios)))], [], []);
    }

    /// <summary>A ratio per GReg layer index; layers not listed keep all filters.</summary>
    /// <param name="ratios">Layer index (≥ 0) to ratio in [0, 1).</param>
    public static PruningPlan FromLayerRatios(IReadOnlyDictionary<int, double> ratios)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        var ranges = ratios.OrderBy(kv => kv.Key).Select(kv =>
        {
            if (kv.Key < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(ratios), kv.Key, "Layer indices start at 0.");
            }

            return new LayerRange(kv.Key, kv.Key, CheckRatio(kv.Value, nameof(ratios)));
        });
        return new(PlanKind.Layers, 0, [], [.. ranges], []);
    }

    /// <summary>Returns this plan with its skip list replaced by <paramref name="skipList"/> (comma-separated <c>stage.block</c>, e.g. "1.0,2.0,2.3,3.0,3.5").</summary>
    /// <exception cref="FormatException">An entry is not <c>stage.block</c> with non-negative integers.</exception>
    internal PruningPlan WithSkipList(string skipList)
    {
        ArgumentNullException.ThrowIfNull(skipList);
        var blocks = new List<(int, int)>();
        foreach (string raw in skipList.Split(','))
        {
            string token = raw.Trim();
            string[] parts = token.Split('.');
            if (parts.Length != 2 || !PruningPlanParser.TryParseIndex(parts[0], out int stage) || !PruningPlanParser.TryParseIndex(parts[1], out int block))
            {
                throw new FormatException($"Skip list '{skipList}': entry '{token}' is not 'stage.block' with non-negative integers (e.g. 2.3 = layer2, block 3).");
            }

            if (!blocks.Contains((stage, block)))
            {
                blocks.Add((stage, block));
            }
        }

        return new PruningPlan(_kind, _uniformRatio, _stageRatios, _layerRanges, [.. blocks], _channelMultiple, _ranking, _compensate, _targetSpeedup);
    }

    /// <summary>
    /// Returns this plan with kept filter counts rounded up to multiples of <paramref name="multiple"/>:
    /// <c>kept = min(n, ⌈(n − n_pruned) / multiple⌉ · multiple)</c>. CPU and GPU kernels compute output channels in
    /// blocks (oneDNN: 16 or 32 on AVX-512), so rounded widths turn the kept FLOPs into wall-clock time more fully,
    /// at the cost of a smaller FLOPs speedup.
    /// </summary>
    /// <param name="multiple">At least 1; 1 removes the rounding. 8 or 16 suit most CPUs.</param>
    public PruningPlan WithChannelMultiple(int multiple) =>
        multiple >= 1
            ? new PruningPlan(_kind, _uniformRatio, _stageRatios, _layerRanges, _skippedBlocks, multiple, _ranking, _compensate, _targetSpeedup)
            : throw new ArgumentOutOfRangeException(nameof(multiple), multiple, "The channel multiple must be at least 1 (1 = no rounding).");

    /// <summary>The convs of <paramref name="network"/> that lose filters under this plan (ratio above 0 and prunable), in GReg order.</summary>
    internal IReadOnlyList<ConvLayerInfo> LayersToPrune(CnnNetwork network)
    {
        var plan = Resolve(network);
        PruningPlanValidator.Validate(plan, network);
        return [.. network.ConvLayers.Where(l => plan.RatioForValidated(network, l) > 0)];
    }

    /// <summary>The conv weights the electrostatic regularizer acts on: those of <see cref="LayersToPrune"/>.</summary>
    internal IReadOnlyList<Parameter> WeightsToRegularize(CnnNetwork network) =>
        [.. LayersToPrune(network).Select(l => network.GetConv(l).weight!)];

    /// <summary>Returns this plan with the filters of each layer ranked by <paramref name="ranking"/> (plan text suffix <c>rank l1</c> / <c>rank folded</c>).</summary>
    /// <param name="ranking">A defined <see cref="FilterRanking"/>.</param>
    public PruningPlan WithRanking(FilterRanking ranking) =>
        Enum.IsDefined(ranking)
            ? new PruningPlan(_kind, _uniformRatio, _stageRatios, _layerRanges, _skippedBlocks, _channelMultiple, ranking, _compensate, _targetSpeedup)
            : throw new ArgumentOutOfRangeException(nameof(ranking), ranking, "The ranking must be L1Norm or FoldedL1Norm.");

    /// <summary>Returns this plan with <see cref="Compensate"/> set to <paramref name="compensate"/> (plan text suffix <c>compensate</c>).</summary>
    public PruningPlan WithCompensation(bool compensate = true) =>
        new(_kind, _uniformRatio, _stageRatios, _layerRanges, _skippedBlocks, _channelMultiple, _ranking, compensate, _targetSpeedup);

    /// <summary>The ratio this plan gives <paramref name="layer"/>: 0 for shortcut, residual-locked and skipped convs.</summary>
    /// <exception cref="ArgumentException">The plan does not fit <paramref name="network"/> (stage count, unknown layer index, pruned classifier, skip entry matching nothing).</exception>
    internal double RatioFor(CnnNetwork network, ConvLayerInfo layer)
    {
        var plan = Resolve(network);
        PruningPlanValidator.Validate(plan, network);
        return plan.RatioForValidated(network, layer);
    }

    /// <summary>
    /// The plan of ratios this plan is for <paramref name="network"/>: itself; for a <see cref="PaperSweep(double)"/> plan the
    /// paper's sweep of the network's architecture at its ratio; for a <see cref="ForSpeedup"/> plan the smallest paper-sweep
    /// ratio (grid 0.001, found by bisection: the speedup never falls as the ratio grows) whose pruned network reaches the
    /// target; both with this plan's skip list, rounding, ranking and compensation.
    /// </summary>
    /// <exception cref="ArgumentException">The network cannot reach the speedup; the message gives the largest it can.</exception>
    internal PruningPlan Resolve(CnnNetwork network)
    {
        if (_kind is not (PlanKind.Speedup or PlanKind.Sweep))
        {
            return this;
        }

        string key = $"{network.Architecture} {network.InputShape} {network.ClassCount} [{string.Join(",", network.Widths)}]";
        return _resolved.GetOrAdd(key, _ => _kind == PlanKind.Sweep ? SweepOf(network.Architecture, _uniformRatio) : Search(network));
    }

    // The paper's sweep of this architecture at this ratio, with this plan's skip list, rounding, ranking and compensation.
    private PruningPlan SweepOf(CnnArchitecture architecture, double ratio)
    {
        var sweep = PaperSweep(architecture, ratio);
        return new PruningPlan(sweep._kind, sweep._uniformRatio, sweep._stageRatios, sweep._layerRanges, _skippedBlocks, _channelMultiple, _ranking, _compensate);
    }

    private PruningPlan Search(CnnNetwork network)
    {
        PruningPlan At(int permille) => SweepOf(network.Architecture, permille / 1000.0);

        double SpeedupAt(int permille)
        {
            var result = FilterPruner.Prune(network, At(permille));
            using (result.Network)
            {
                return result.Speedup;
            }
        }

        if (_targetSpeedup <= 1)
        {
            return At(0);
        }

        int low = 0, high = 999;
        double most = SpeedupAt(high);
        if (most < _targetSpeedup)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"Plan {this}: {network.Architecture} on {network.InputShape} images reaches at most a {most:F2}x FLOPs speedup with the paper's sweep (ratio 0.999); ask for at most that."));
        }

        while (high - low > 1)
        {
            int middle = (low + high) / 2;
            if (SpeedupAt(middle) >= _targetSpeedup)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return At(high);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        string ratios = _kind switch
        {
            PlanKind.Uniform => Format(_uniformRatio),
            PlanKind.Stages => $"[{string.Join(", ", _stageRatios.Select(Format))}]",
            PlanKind.Speedup => $"speedup {Format(_targetSpeedup)}",
            PlanKind.Sweep => $"sweep {Format(_uniformRatio)}",
            _ => $"[{string.Join(", ", _layerRanges.Select(r => r.ToString()))}]",
        };
        string skip = _skippedBlocks.Length == 0 ? string.Empty : $" skip {string.Join(",", SkippedBlocks)}";
        string round = _channelMultiple == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" round {_channelMultiple}");
        string rank = _ranking == FilterRanking.L1Norm ? string.Empty : " rank folded";
        return ratios + skip + round + rank + (_compensate ? " compensate" : string.Empty);
    }

    /// <inheritdoc />
    public bool Equals(PruningPlan? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PruningPlan);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    private double RatioForValidated(CnnNetwork network, ConvLayerInfo layer)
    {
        if (_kind is PlanKind.Speedup or PlanKind.Sweep)
        {
            return Resolve(network).RatioForValidated(network, layer);
        }

        if (!layer.IsPrunable || _skippedBlocks.Contains((layer.Stage, layer.Block)))
        {
            return 0;
        }

        return _kind switch
        {
            PlanKind.Uniform => _uniformRatio,
            PlanKind.Stages => _stageRatios[layer.Stage],
            _ => _layerRanges.FirstOrDefault(r => r.Contains(layer.LayerIndex))?.Ratio ?? 0,
        };
    }

    internal static double CheckRatio(double ratio, string parameter) =>
        ratio >= 0 && ratio < 1 ? ratio : throw new ArgumentOutOfRangeException(parameter, ratio, "Pruning ratios must lie in [0, 1).");

    internal static string Format(double ratio) => ratio.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Layers First..Last (inclusive) lose Ratio of their filters.</summary>
    internal sealed record LayerRange(int First, int Last, double Ratio)
    {
        public bool Contains(int index) => index >= First && index <= Last;

        public override string ToString() => First == Last ? $"{First}:{Format(Ratio)}" : $"{First}-{Last}:{Format(Ratio)}";
    }
}
