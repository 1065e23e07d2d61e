using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// The electrostatic force on BatchNorm-folded charges, the library's default regularizer (not in the paper). Filter n of
/// a conv followed by a BatchNorm gets the charge of the filter with its BatchNorm folded in,
/// <c>q_n = sign(sum W_n * gamma_n) * ||W_n||_1 * |gamma_n| / sqrt(var_n + eps)</c>, what the channel really contributes;
/// Eqs. 4-7 are unchanged otherwise and the gradient (Eq. 10's form, <c>alpha_e k_e |q_1| / r_n^2</c> per unit of folded
/// norm) reaches only the BatchNorm scale gamma, so a repelled channel's effective scale goes to zero and the channel
/// really dies (raw-weight charges cannot do that: BatchNorm undoes any change of a filter's scale). Select it with
/// <c>Regularizer = new FoldedForceRegularizer.Options { ForceRate = 1e-12 }</c>; docs/batchnorm-pruning.md has the
/// measurements behind the defaults.
/// </summary>
public sealed class FoldedForceRegularizer : PruningRegularizer
{
    private readonly IReadOnlyList<BatchNorm2d> _batchNorms;
    private readonly double _forceScale;
    private readonly IReadOnlyList<int>? _targetCounts;
    private readonly bool _targetByRawNorm;
    private readonly IReadOnlyList<double[]>? _rankWeights;

    private FoldedForceRegularizer(IReadOnlyList<BatchNorm2d> batchNorms, double forceScale, IReadOnlyList<int>? targetCounts, bool targetByRawNorm, IReadOnlyList<double[]>? rankWeights = null)
    {
        _rankWeights = rankWeights;
        if (batchNorms.Count == 0)
        {
            throw new ArgumentException("The folded force acts on the BatchNorm after each regularized convolution; none was given.", nameof(batchNorms));
        }

        if (targetCounts is not null && targetCounts.Count != batchNorms.Count)
        {
            throw new ArgumentException($"Expected one target count per regularized layer ({batchNorms.Count}), got {targetCounts.Count}.", nameof(targetCounts));
        }

        _batchNorms = batchNorms;
        _forceScale = forceScale;
        _targetCounts = targetCounts;
        _targetByRawNorm = targetByRawNorm;
    }

    /// <inheritdoc />
    internal override Tensor Penalty(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != _batchNorms.Count)
        {
            throw new ArgumentException($"Expected one conv weight per BatchNorm ({_batchNorms.Count}), got {weights.Count}.", nameof(weights));
        }

        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (int i = 0; i < weights.Count; i++)
        {
            var term = ElectrostaticForce.FoldedLayerPenalty(weights[i], _batchNorms[i], _forceScale, ElectrostaticForce.DefaultDistanceEpsilon, _targetCounts?[i], _targetByRawNorm, _rankWeights?[i]);
            total = total is null ? term : total.Plus(term);
        }

        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For tests: the force with <c>alpha_e * k_e = </c><paramref name="forceScale"/> on <paramref name="batchNorms"/>; with
    /// <paramref name="targetCounts"/> only the weakest filters of each layer feel it.
    /// </summary>
    internal static FoldedForceRegularizer For(IReadOnlyList<BatchNorm2d> batchNorms, double forceScale, IReadOnlyList<int>? targetCounts = null, bool targetByRawNorm = false) =>
        new(batchNorms, forceScale, targetCounts, targetByRawNorm);

    /// <summary>Settings of the folded force.</summary>
    public sealed class Options : OptionsBase
    {
        /// <summary>
        /// Electrostatic force rate <c>alpha_e</c> of Eq. 7, finite and at least 0. Default 1e-12, measured for the force
        /// graded over the any-ratio range (the trainer's default; docs/any-ratio.md); the targeted force alone
        /// (<c>AnyRatio = null</c>) measured best at 1e-11 on SmallCnn and ResNet-56; on every filter
        /// (<see cref="TargetPrunedFilters"/> false) it is unstable above about 3e-12 at P1's rate 0.1.
        /// </summary>
        public double ForceRate { get; set; } = ElectrostaticCnnTrainer.Defaults.FoldedForceRate;

        /// <summary>Coulomb constant <c>k_e</c>, finite and greater than 0. Default 8.99e9.</summary>
        public double CoulombConstant { get; set; } = ElectrostaticForce.DefaultCoulombConstant;

        /// <summary>
        /// True to let the force act only on the filters the pruning plan removes: in each layer the
        /// <c>min(ceil(ratio * N), N - 1)</c> filters the plan's ranking puts last, chosen afresh at every step (GReg's idea
        /// of penalising only the filters to prune); false for the force on every filter. Default true: on every filter the
        /// force kept killing channels past the plan's ratio and, at P1's rate 0.1, collapsed one of two SmallCnn seeds
        /// (72% accuracy, 54 of 96 channels dead).
        /// </summary>
        public bool TargetPrunedFilters { get; set; } = true;

        /// <summary>
        /// The graded force, for models pruned at any ratio of a range: a ratio in (plan ratio, 1) weights the force on each
        /// filter by its probability of being removed when the ratio is drawn uniformly from [plan ratio,
        /// <see cref="GradedUpToRatio"/>] (1 for the filters the plan removes, falling linearly to 0 for those only
        /// <see cref="GradedUpToRatio"/> removes; see docs/any-ratio.md). Default null: graded over the any-ratio range
        /// [<see cref="AnyRatioTrainingOptions.MinRatio"/>, <see cref="AnyRatioTrainingOptions.MaxRatio"/>] when
        /// <see cref="ElectrostaticCnnTrainer.Options.AnyRatio"/> is set (the trainer's default), else on the plan's filters
        /// alone (the targeted force, the one-ratio special case). Needs <see cref="TargetPrunedFilters"/>.
        /// </summary>
        public double? GradedUpToRatio { get; set; }

        /// <inheritdoc />
        internal override string Name => "folded force";

        /// <inheritdoc />
        internal override string Settings => Line(!TargetPrunedFilters ? string.Empty
            : GradedUpToRatio is double upTo ? string.Create(CultureInfo.InvariantCulture, $", graded by removal probability up to ratio {upTo:G3}")
            : ", on the filters the plan removes or, with any-ratio training, graded over its range");

        /// <inheritdoc />
        internal override string Describe(AnyRatioTrainingOptions? anyRatio) => TargetPrunedFilters && GradedUpToRatio is null
            ? Name + Line(anyRatio is null ? ", on the filters the plan removes"
                : string.Create(CultureInfo.InvariantCulture, $", graded by removal probability over ratios {anyRatio.MinRatio:G3}-{anyRatio.MaxRatio:G3}"))
            : ToString();

        private string Line(string targeting) => string.Create(
            CultureInfo.InvariantCulture, $" (alpha_e {ForceRate:G3}, k_e {CoulombConstant:G3}, folded charges{targeting})");

        /// <inheritdoc />
        internal override PruningRegularizer Create(RegularizationTarget target)
        {
            var counts = TargetPrunedFilters && target.Plan is { } plan ? FilterPruner.RemovedCounts(target.Network, plan) : null;
            var graded = counts is null ? null
                : GradedUpToRatio is double upTo
                    ? target.Layers.Select(l => ElectrostaticForce.RemovalProbabilities(l.OutChannels, Math.Min(target.Plan!.RatioFor(target.Network, l), upTo), upTo)).ToList()
                    : target.AnyRatio is { } range
                        ? target.Layers.Select(l => ElectrostaticForce.RemovalProbabilities(l.OutChannels, range.MinRatio, range.MaxRatio)).ToList()
                        : null;
            return new FoldedForceRegularizer(target.BatchNorms(Name), ElectrostaticForce.ForceScale(ForceRate, CoulombConstant), counts, target.Plan?.Ranking == FilterRanking.L1Norm, graded);
        }

        /// <summary>
        /// Half-way (<c>Epochs / 2</c>, rounded down) from random weights: folded charges mean nothing on an untrained network
        /// (first-epoch losses of 400-2,000 measured on SmallCnn), so the first half trains plain, the paper's pretrained start
        /// inside one Fit; 0 for a warm start (the initial model is the pretrained start).
        /// </summary>
        private protected override int DefaultStartEpoch(int epochs, bool warmStart) => ElectrostaticCnnTrainer.Defaults.HalfWayStartEpoch(epochs, warmStart);

        /// <inheritdoc />
        private protected override void ValidateSettings()
        {
            ElectrostaticForce.ForceScale(ForceRate, CoulombConstant, OptionName(nameof(ForceRate)), OptionName(nameof(CoulombConstant)));
            if (GradedUpToRatio is double upTo && (!(upTo > 0 && upTo < 1) || !TargetPrunedFilters))
            {
                throw new ArgumentOutOfRangeException(
                    OptionName(nameof(GradedUpToRatio)), upTo, $"{OptionName(nameof(GradedUpToRatio))} must lie in (0, 1), above the plan's ratio, with TargetPrunedFilters = true; null targets the plan alone.");
            }
        }
    }
}
