using System.Globalization;
using TorchSharp.Modules;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Which fraction of filters to remove from which conv, in the paper's (GReg's) formats:
/// a single ratio for every prunable conv (<c>0.5</c>); a per-stage list for ResNets
/// (<c>[0, 0.52, 0.52, 0.52, 0]</c>: stem, each residual stage, classifier); a layer map by GReg layer index
/// (<c>[0:0, 1-15:0.65]</c>, ranges inclusive, unlisted layers 0); optionally followed by a skip list of
/// <c>stage.block</c> prefixes whose convs get ratio 0 (<c>... skip 1.0,2.0,2.3,3.0,3.5</c>), and last by an
/// optional channel rounding (<c>... round 16</c>: kept filter counts rounded up to multiples of 16, see
/// <see cref="ChannelMultiple"/>; off unless written, so the paper's counts and speedups hold).
/// Ratios lie in [0, 1). Shortcut convs and the last conv of every residual block are never pruned.
/// The same plan selects the convs that the electrostatic regularizer acts on.
/// </summary>
public sealed class PruningPlan : IEquatable<PruningPlan>
{
    private const string Examples = "a ratio such as 0.5, a per-stage list such as [0, 0.52, 0.52, 0.52, 0], or a layer map such as [0:0, 1-15:0.65], optionally followed by 'skip 1.0,2.0' and then by 'round 8'";

    private readonly PlanKind _kind;
    private readonly double _uniformRatio;
    private readonly double[] _stageRatios;
    private readonly LayerRange[] _layerRanges;
    private readonly (int Stage, int Block)[] _skippedBlocks;
    private readonly int _channelMultiple;
    private readonly FilterRanking _ranking;
    private readonly bool _compensate;

    private PruningPlan(PlanKind kind, double uniformRatio, double[] stageRatios, LayerRange[] layerRanges, (int Stage, int Block)[] skippedBlocks, int channelMultiple = 1, FilterRanking ranking = FilterRanking.L1Norm, bool compensate = false)
    {
        _ranking = ranking;
        _compensate = compensate;
        _kind = kind;
        _uniformRatio = uniformRatio;
        _stageRatios = stageRatios;
        _layerRanges = layerRanges;
        _skippedBlocks = skippedBlocks;
        _channelMultiple = channelMultiple;
    }

    private enum PlanKind
    {
        Uniform,
        Stages,
        Layers,
    }

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
    public static PruningPlan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string body = text.Trim();
        bool compensate = false;
        int compensateAt = body.IndexOf("compensate", StringComparison.OrdinalIgnoreCase);
        if (compensateAt >= 0)
        {
            if (body[(compensateAt + 10)..].Trim().Length > 0)
            {
                throw new FormatException($"Pruning plan '{text}': 'compensate' must be written last.");
            }

            compensate = true;
            body = body[..compensateAt].Trim();
        }

        var ranking = FilterRanking.L1Norm;
        int rankAt = body.IndexOf("rank", StringComparison.OrdinalIgnoreCase);
        if (rankAt >= 0)
        {
            string token = body[(rankAt + 4)..].Trim();
            ranking = token.ToLowerInvariant() switch
            {
                "l1" => FilterRanking.L1Norm,
                "folded" => FilterRanking.FoldedL1Norm,
                _ => throw new FormatException($"Pruning plan '{text}': 'rank {token}' must be 'rank l1' or 'rank folded', written last."),
            };
            body = body[..rankAt].Trim();
        }

        int multiple = 1;
        int roundAt = body.IndexOf("round", StringComparison.OrdinalIgnoreCase);
        if (roundAt >= 0)
        {
            string token = body[(roundAt + 5)..].Trim();
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out multiple) || multiple < 1)
            {
                throw new FormatException($"Pruning plan '{text}': 'round {token}' needs one positive integer (the filter multiple, e.g. 'round 8'), written last.");
            }

            body = body[..roundAt].Trim();
        }

        string? skip = null;
        int skipAt = body.IndexOf("skip", StringComparison.OrdinalIgnoreCase);
        if (skipAt >= 0)
        {
            skip = body[(skipAt + 4)..];
            body = body[..skipAt].Trim();
        }

        if (body.Length == 0)
        {
            throw new FormatException($"Pruning plan '{text}' has no ratios; expected {Examples}.");
        }

        var plan = body[0] == '[' ? ParseList(text, body) : new PruningPlan(PlanKind.Uniform, ParseRatio(text, body, body), [], [], []);
        plan = skip is null ? plan : plan.WithSkipList(skip);
        plan = multiple == 1 ? plan : plan.WithChannelMultiple(multiple);
        return plan.WithRanking(ranking).WithCompensation(compensate);
    }

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
    public PruningPlan WithSkipList(string skipList)
    {
        ArgumentNullException.ThrowIfNull(skipList);
        var blocks = new List<(int, int)>();
        foreach (string raw in skipList.Split(','))
        {
            string token = raw.Trim();
            string[] parts = token.Split('.');
            if (parts.Length != 2 || !TryParseIndex(parts[0], out int stage) || !TryParseIndex(parts[1], out int block))
            {
                throw new FormatException($"Skip list '{skipList}': entry '{token}' is not 'stage.block' with non-negative integers (e.g. 2.3 = layer2, block 3).");
            }

            if (!blocks.Contains((stage, block)))
            {
                blocks.Add((stage, block));
            }
        }

        return new PruningPlan(_kind, _uniformRatio, _stageRatios, _layerRanges, [.. blocks], _channelMultiple, _ranking, _compensate);
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
            ? new PruningPlan(_kind, _uniformRatio, _stageRatios, _layerRanges, _skippedBlocks, multiple, _ranking, _compensate)
            : throw new ArgumentOutOfRangeException(nameof(multiple), multiple, "The channel multiple must be at least 1 (1 = no rounding).");

    /// <summary>The convs of <paramref name="network"/> that lose filters under this plan (ratio above 0 and prunable), in GReg order.</summary>
    internal IReadOnlyList<ConvLayerInfo> LayersToPrune(CnnNetwork network)
    {
        Validate(network);
        return [.. network.ConvLayers.Where(l => RatioForValidated(network, l) > 0)];
    }

    /// <summary>The conv weights the electrostatic regularizer acts on: those of <see cref="LayersToPrune"/>.</summary>
    internal IReadOnlyList<Parameter> WeightsToRegularize(CnnNetwork network) =>
        [.. LayersToPrune(network).Select(l => network.GetConv(l).weight!)];

    /// <summary>Returns this plan with the filters of each layer ranked by <paramref name="ranking"/> (plan text suffix <c>rank l1</c> / <c>rank folded</c>).</summary>
    /// <param name="ranking">A defined <see cref="FilterRanking"/>.</param>
    public PruningPlan WithRanking(FilterRanking ranking) =>
        Enum.IsDefined(ranking)
            ? new PruningPlan(_kind, _uniformRatio, _stageRatios, _layerRanges, _skippedBlocks, _channelMultiple, ranking, _compensate)
            : throw new ArgumentOutOfRangeException(nameof(ranking), ranking, "The ranking must be L1Norm or FoldedL1Norm.");

    /// <summary>Returns this plan with <see cref="Compensate"/> set to <paramref name="compensate"/> (plan text suffix <c>compensate</c>).</summary>
    public PruningPlan WithCompensation(bool compensate = true) =>
        new(_kind, _uniformRatio, _stageRatios, _layerRanges, _skippedBlocks, _channelMultiple, _ranking, compensate);

    /// <summary>The ratio this plan gives <paramref name="layer"/>: 0 for shortcut, residual-locked and skipped convs.</summary>
    /// <exception cref="ArgumentException">The plan does not fit <paramref name="network"/> (stage count, unknown layer index, pruned classifier, skip entry matching nothing).</exception>
    internal double RatioFor(CnnNetwork network, ConvLayerInfo layer)
    {
        Validate(network);
        return RatioForValidated(network, layer);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        string ratios = _kind switch
        {
            PlanKind.Uniform => Format(_uniformRatio),
            PlanKind.Stages => $"[{string.Join(", ", _stageRatios.Select(Format))}]",
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

    private void Validate(CnnNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        string model = network.Architecture.ToString();
        int classifier = network.ClassifierLayerIndex;
        if (_kind == PlanKind.Stages)
        {
            if (network.ResidualStageCount == 0)
            {
                throw new ArgumentException($"Plan {this}: a per-stage list applies to residual networks; {model} is not one. Use a layer map such as [0:0, 1-{classifier - 1}:0.5] or a single ratio.");
            }

            if (_stageRatios.Length != network.StageListLength)
            {
                throw new ArgumentException($"Plan {this} has {_stageRatios.Length} stage ratios but {model} needs {network.StageListLength}: stem, {network.ResidualStageCount} residual stages, classifier.");
            }

            if (_stageRatios[^1] > 0)
            {
                throw new ArgumentException($"Plan {this}: the last entry is the classifier of {model}; its outputs are the class scores and cannot be pruned, so it must be 0.");
            }

            for (int stage = 0; stage < _stageRatios.Length - 1; stage++)
            {
                if (_stageRatios[stage] > 0 && !network.ConvLayers.Any(l => l.Stage == stage && l.IsPrunable))
                {
                    throw new ArgumentException($"Plan {this}: stage {stage} of {model} has no prunable conv (its convs feed residual sums), so its ratio must be 0.");
                }
            }
        }

        if (_kind == PlanKind.Layers)
        {
            foreach (var range in _layerRanges)
            {
                if (range.Last > classifier)
                {
                    throw new ArgumentException($"Plan {this}: unknown layer index {range.Last} in '{range}'; {model} has layers 0-{classifier} (convs 0-{classifier - 1}, classifier {classifier}).");
                }

                if (range.Ratio > 0 && range.Contains(classifier))
                {
                    throw new ArgumentException($"Plan {this}: '{range}' prunes layer {classifier}, the classifier of {model}; its outputs are the class scores, so give it ratio 0.");
                }

                if (range.Ratio > 0 && range.First == range.Last && !network.GetLayer(range.First).IsPrunable)
                {
                    var layer = network.GetLayer(range.First);
                    string why = layer.IsResidualLocked ? "it is residual-locked (its output joins a residual sum)" : "it has a single filter";
                    throw new ArgumentException($"Plan {this}: layer {range.First} ({layer.Name}) of {model} cannot be pruned: {why}.");
                }
            }
        }

        foreach (var (stage, block) in _skippedBlocks)
        {
            if (!network.ConvLayers.Any(l => l.Stage == stage && l.Block == block))
            {
                throw new ArgumentException($"Plan {this}: skip entry {stage}.{block} matches no block of {model} (stages {network.ConvLayers.Min(l => l.Stage)}-{network.ConvLayers.Max(l => l.Stage)}).");
            }
        }
    }

    private static PruningPlan ParseList(string text, string body)
    {
        if (body[^1] != ']')
        {
            throw new FormatException($"Pruning plan '{text}': expected ']' at the end of the list.");
        }

        string[] tokens = [.. body[1..^1].Split(',').Select(t => t.Trim())];
        if (tokens.Any(t => t.Length == 0))
        {
            throw new FormatException($"Pruning plan '{text}': empty entry in the list; expected {Examples}.");
        }

        bool layerMap = tokens.Any(t => t.Contains(':'));
        if (!layerMap)
        {
            return new PruningPlan(PlanKind.Stages, 0, [.. tokens.Select(t => ParseRatio(text, t, t))], [], []);
        }

        var ranges = new List<LayerRange>();
        foreach (string token in tokens)
        {
            string[] parts = token.Split(':');
            if (parts.Length != 2)
            {
                throw new FormatException($"Pruning plan '{text}': entry '{token}' is not 'layer:ratio' or 'first-last:ratio' (a layer map cannot be mixed with a per-stage list).");
            }

            string[] bounds = parts[0].Split('-');
            int first = 0, last = 0;
            if (bounds.Length > 2 || !TryParseIndex(bounds[0], out first) || (bounds.Length == 2 ? !TryParseIndex(bounds[1], out last) : !TryParseIndex(bounds[0], out last)))
            {
                throw new FormatException($"Pruning plan '{text}': '{parts[0].Trim()}' in entry '{token}' is not a layer index or an inclusive range 'first-last' of non-negative integers.");
            }

            if (last < first)
            {
                throw new FormatException($"Pruning plan '{text}': range '{parts[0].Trim()}' in entry '{token}' ends before it starts.");
            }

            var range = new LayerRange(first, last, ParseRatio(text, parts[1].Trim(), token));
            var overlap = ranges.FirstOrDefault(r => r.First <= range.Last && range.First <= r.Last);
            if (overlap is not null)
            {
                throw new FormatException($"Pruning plan '{text}': entry '{token}' overlaps entry '{overlap}'; each layer may be given once.");
            }

            ranges.Add(range);
        }

        return new PruningPlan(PlanKind.Layers, 0, [], [.. ranges], []);
    }

    private static double ParseRatio(string text, string token, string entry)
    {
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio))
        {
            throw new FormatException($"Pruning plan '{text}': '{token}' in entry '{entry}' is not a number; expected a ratio in [0, 1) such as 0.52.");
        }

        if (!(ratio >= 0 && ratio < 1))
        {
            throw new FormatException($"Pruning plan '{text}': ratio '{token}' in entry '{entry}' is outside [0, 1).");
        }

        return ratio;
    }

    private static double CheckRatio(double ratio, string parameter) =>
        ratio >= 0 && ratio < 1 ? ratio : throw new ArgumentOutOfRangeException(parameter, ratio, "Pruning ratios must lie in [0, 1).");

    private static bool TryParseIndex(string token, out int value) =>
        int.TryParse(token.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static string Format(double ratio) => ratio.ToString("R", CultureInfo.InvariantCulture);

    private sealed record LayerRange(int First, int Last, double Ratio)
    {
        public bool Contains(int index) => index >= First && index <= Last;

        public override string ToString() => First == Last ? $"{First}:{Format(Ratio)}" : $"{First}-{Last}:{Format(Ratio)}";
    }
}
