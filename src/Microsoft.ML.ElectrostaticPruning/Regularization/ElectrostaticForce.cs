using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Regularization;

/// <summary>
/// The electrostatic-force model of the paper (Eqs. 2-11, Algorithm 1), vectorized over the filters of a layer.
/// </summary>
/// <remarks>
/// For a convolution weight <c>W</c> of shape <c>[N, C, k, k]</c>: magnitude <c>m_n = ||W_n||_1</c> (Eq. 3), sign
/// <c>s_n = sign(sum W_n)</c> (Eq. 4), charge <c>q_n = s_n m_n</c> (Eq. 2), source = the filter with the largest
/// magnitude (lowest index on ties), distance <c>r_n = |q_1 - q_n|</c> (Eq. 5) and force
/// <c>F_n = k_e |q_1||q_n| / r_n^2</c> (Eq. 6), zero for the source and for neutral filters (<c>s_n = 0</c>).
/// A distance below the guard <c>epsilon</c> is replaced by <c>epsilon</c> (<c>r_eff = max(r, epsilon)</c>), so a filter
/// whose charge equals the source's (a tie) gets a large but finite force and training never sees Inf or NaN.
/// Every method works on any floating dtype and device; each layer costs a fixed, small number of tensor ops.
/// </remarks>
internal static class ElectrostaticForce
{
    /// <summary>Coulomb's constant <c>k_e</c> in N m^2 C^-2, the paper's default.</summary>
    public const double DefaultCoulombConstant = 8.99e9;

    /// <summary>
    /// Default distance guard <c>epsilon</c> (same unit as a charge, i.e. an L1 norm of weights).
    /// </summary>
    /// <remarks>
    /// Charges are L1 norms of <c>C*k*k &gt;= 9</c> weights, typically 1-100 for initialised or trained filters, and a
    /// single SGD step moves them by far more than 1e-3; two charges closer than 1e-3 are a tie for all practical
    /// purposes. The guard therefore changes no force except at ties, and it bounds the per-weight Paper-mode gradient
    /// by <c>alpha_e k_e |q_1| / epsilon^2 = 1e6 alpha_e k_e |q_1|</c>, finite for any finite weights.
    /// </remarks>
    public const double DefaultDistanceEpsilon = 1e-3;

    /// <summary>Charges <c>q_n = sign(sum W_n) * ||W_n||_1</c> of the filters of <paramref name="weight"/>, shape <c>[N]</c>.</summary>
    /// <param name="weight">A convolution weight <c>[N, C, k, k]</c> (any rank &gt;= 2; dimension 0 indexes filters).</param>
    public static Tensor Charges(Tensor weight)
    {
        using var scope = NewDisposeScope();
        var flat = Flatten(weight);
        return flat.sum(1).sign_().mul_(flat.abs().sum(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Index of the source filter: the largest L1 norm, lowest index on ties.</summary>
    public static long SourceIndex(Tensor weight)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return FirstArgMax(Flatten(weight).abs().sum(1)).item<long>();
    }

    /// <summary>
    /// Per-filter forces <c>F_n = k_e |q_1||q_n| / max(r_n, epsilon)^2</c> (no <c>alpha_e</c>), zero for the source and
    /// neutral filters, shape <c>[N]</c>, computed without gradient.
    /// </summary>
    public static Tensor Forces(Tensor weight, double coulombConstant = DefaultCoulombConstant, double distanceEpsilon = DefaultDistanceEpsilon)
    {
        ValidateConstants(coulombConstant, distanceEpsilon);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = Flatten(weight);
        var magnitude = flat.abs().sum(1);
        return ForceRates(flat, magnitude, coulombConstant, distanceEpsilon).mul_(magnitude).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The penalty term of one layer, a scalar whose VALUE is <c>forceScale * sum_n |q_1||q_n| / max(r_n, epsilon)^2</c>
    /// (i.e. <c>alpha_e * sum_n F_n</c> when <paramref name="forceScale"/> = <c>alpha_e * k_e</c>) and whose gradient
    /// follows <paramref name="mode"/>.
    /// </summary>
    /// <param name="weight">Convolution weight <c>[N, C, k, k]</c> that requires grad.</param>
    /// <param name="forceScale">
    /// <c>alpha_e * k_e</c>, multiplied in double by the caller so that neither factor alone (1e-17 or 8.99e9) ever
    /// meets float32 arithmetic; must be finite and &gt;= 0.
    /// </param>
    /// <param name="mode">
    /// <see cref="ForceGradientMode.Paper"/>: the term is the surrogate <c>sum_n c_n ||W_n||_1</c> with the detached
    /// coefficients <c>c_n = forceScale |q_1| / r_n^2</c> (0 for source and neutral filters). Its value equals the penalty
    /// because <c>|q_n| = ||W_n||_1</c>, and its gradient is exactly Eq. 10, <c>c_n sign(w)</c>.
    /// <see cref="ForceGradientMode.Exact"/>: the penalty itself, differentiated through <c>q_1</c>, <c>q_n</c> and <c>r_n</c>.
    /// </param>
    /// <param name="distanceEpsilon">The distance guard <c>epsilon &gt; 0</c>.</param>
    public static Tensor LayerPenalty(Tensor weight, double forceScale, ForceGradientMode mode, double distanceEpsilon = DefaultDistanceEpsilon)
    {
        if (!double.IsFinite(forceScale) || forceScale < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(forceScale), forceScale, "The force scale alpha_e * k_e must be finite and at least 0.");
        }

        ValidateConstants(1, distanceEpsilon);
        using var scope = NewDisposeScope();
        var flat = Flatten(weight);
        var magnitude = flat.abs().sum(1);
        Tensor term;
        if (mode == ForceGradientMode.Paper)
        {
            Tensor coefficient;
            using (no_grad())
            {
                coefficient = ForceRates(flat, magnitude, forceScale, distanceEpsilon);
            }

            term = magnitude.dot(coefficient);
        }
        else
        {
            Tensor sign, mask, source;
            using (no_grad())
            {
                sign = flat.sum(1).sign_();
                source = FirstArgMax(magnitude).unsqueeze(0);
                mask = sign.abs().ZeroAt(0, source);
            }

            var charge = sign * magnitude;
            var sourceCharge = charge.index_select(0, source);
            var squaredDistance = (charge - sourceCharge).Squared().AtLeast(distanceEpsilon * distanceEpsilon);
            term = (sourceCharge.abs().Times(forceScale) * (magnitude * mask) / squaredDistance).sum();
        }

        return term.MoveToOuterDisposeScope();
    }

    /// <summary>Per-filter charges, forces, norms and roles of one layer, for reports and plots (no gradient).</summary>
    /// <param name="weight">Convolution weight <c>[N, C, k, k]</c>.</param>
    /// <param name="layerName">Name reported with the statistics, e.g. the state-dict prefix.</param>
    /// <param name="coulombConstant"><c>k_e</c>, finite and &gt; 0.</param>
    /// <param name="distanceEpsilon">The distance guard, &gt; 0.</param>
    public static LayerForceStatistics Statistics(Tensor weight, string layerName = "", double coulombConstant = DefaultCoulombConstant, double distanceEpsilon = DefaultDistanceEpsilon)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ValidateConstants(coulombConstant, distanceEpsilon);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        // Statistics are read by people, so compute them in double whatever the training dtype.
        var flat = Flatten(weight).to(ScalarType.Float64, CPU);
        var magnitude = flat.abs().sum(1);
        var sign = flat.sum(1).sign();
        long source = FirstArgMax(magnitude).item<long>();
        var forces = ForceRates(flat, magnitude, coulombConstant, distanceEpsilon).mul_(magnitude);
        var maxMagnitude = magnitude[source].item<double>();

        double[] norms = magnitude.data<double>().ToArray();
        double[] signs = sign.data<double>().ToArray();
        double[] charges = (sign * magnitude).data<double>().ToArray();
        double[] forceValues = forces.data<double>().ToArray();
        double[] normalized = norms.Select(n => maxMagnitude > 0 ? n / maxMagnitude : 0).ToArray();

        // Classification is a handful of comparisons per filter on arrays already copied out: no tensor work.
        var roles = new FilterRole[norms.Length];
        double sourceSign = signs[source];
        for (int n = 0; n < roles.Length; n++)
        {
            roles[n] = n == source ? FilterRole.Source
                : signs[n] == 0 || sourceSign == 0 ? FilterRole.Neutral
                : signs[n] == sourceSign ? FilterRole.Repelled
                : FilterRole.Attracted;
        }

        return new LayerForceStatistics(layerName, (int)source, charges, forceValues, norms, normalized, roles);
    }

    /// <summary>Statistics of each of <paramref name="layers"/> of <paramref name="network"/>, named by the layers' state-dict prefixes.</summary>
    /// <param name="network">A zoo network.</param>
    /// <param name="layers">Convs of <paramref name="network"/>, e.g. the layers a pruning plan prunes.</param>
    /// <param name="coulombConstant"><c>k_e</c>, finite and &gt; 0.</param>
    /// <param name="distanceEpsilon">The distance guard, &gt; 0.</param>
    public static IReadOnlyList<LayerForceStatistics> Statistics(CnnNetwork network, IEnumerable<ConvLayerInfo> layers, double coulombConstant = DefaultCoulombConstant, double distanceEpsilon = DefaultDistanceEpsilon)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(layers);
        return layers.Select(l => Statistics(network.GetConv(l).weight!, l.Name, coulombConstant, distanceEpsilon)).ToArray();
    }

    /// <summary>
    /// <c>scale * |q_1| / max(r_n, epsilon)^2</c> per filter, zero for the source and neutral filters. Multiplied by
    /// <c>m_n = |q_n|</c> it is the force; held constant it is the Paper-mode coefficient.
    /// </summary>
    /// <summary>
    /// The folded-charge penalty of one conv followed by <paramref name="batchNorm"/>: magnitudes
    /// <c>m_n = ||W_n||_1 * |gamma_n| / sqrt(var_n + eps)</c>, signs <c>sign(sum W_n) * sign(gamma_n)</c>, then Eq. 7 with the
    /// Eq. 10 gradient (rates <c>alpha_e k_e |q_1| / r_n^2</c> held constant), differentiable in gamma only: W and the
    /// running variance are constants here, so the penalty moves the channel's effective scale and nothing else.
    /// With <paramref name="targetCount"/> = k the force acts only on the k weakest filters, the ones pruning removes at
    /// that count (smallest magnitude m_n for the folded ranking, smallest raw L1 norm with <paramref name="targetByRawNorm"/>),
    /// chosen afresh at every step: the others, the source included, feel no force.
    /// </summary>
    /// <param name="weight">The conv weight <c>[N, C, k, k]</c>.</param>
    /// <param name="batchNorm">The BatchNorm after the conv, with a learnable scale.</param>
    /// <param name="forceScale"><c>alpha_e * k_e</c>, finite and at least 0.</param>
    /// <param name="distanceEpsilon">The distance guard, &gt; 0.</param>
    /// <param name="targetCount">Null: every filter (the force as defined); otherwise the number of weakest filters the force acts on, in [0, N).</param>
    /// <param name="targetByRawNorm">Rank the targets by the raw L1 norm (the paper's pruning) instead of the folded magnitude.</param>
    /// <param name="rankWeights">
    /// The graded force: null, or one weight in [0, 1] per rank (weakest filter first), multiplying the force on the filter
    /// of that rank: its probability of being removed when the ratio is drawn from a range (see
    /// <see cref="RemovalProbabilities"/>). Replaces <paramref name="targetCount"/>, which is its step-function special case.
    /// </param>
    public static Tensor FoldedLayerPenalty(Tensor weight, TorchSharp.Modules.BatchNorm2d batchNorm, double forceScale, double distanceEpsilon = DefaultDistanceEpsilon, int? targetCount = null, bool targetByRawNorm = false, IReadOnlyList<double>? rankWeights = null)
    {
        ArgumentNullException.ThrowIfNull(batchNorm);
        if (!double.IsFinite(forceScale) || forceScale < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(forceScale), forceScale, "The force scale alpha_e * k_e must be finite and at least 0.");
        }

        ValidateConstants(1, distanceEpsilon);
        using var scope = NewDisposeScope();
        var gamma = batchNorm.weight ?? throw new ArgumentException("Folded charges need a BatchNorm with a learnable scale (affine).", nameof(batchNorm));
        Tensor rawNorm, rawSign, inverseStd;
        using (no_grad())
        {
            var flat = Flatten(weight).detach();
            rawNorm = flat.abs().sum(1);
            rawSign = flat.sum(1).sign_();
            inverseStd = batchNorm.running_var!.Plus(batchNorm.eps).rsqrt();
        }

        var magnitude = rawNorm * inverseStd * gamma.abs();
        Tensor coefficient;
        using (no_grad())
        {
            coefficient = ForceRatesFromCharges(rawSign * gamma.detach().sign(), magnitude.detach(), forceScale, distanceEpsilon);
            if (rankWeights is not null)
            {
                if (rankWeights.Count != weight.shape[0])
                {
                    throw new ArgumentException($"Expected one rank weight per filter ({weight.shape[0]}), got {rankWeights.Count}.", nameof(rankWeights));
                }

                // The filter of rank p (weakest first) feels the force times its removal probability.
                var order = (targetByRawNorm ? rawNorm : magnitude.detach()).argsort();
                var byRank = tensor(rankWeights.ToArray(), dtype: coefficient.dtype, device: coefficient.device);
                coefficient = zeros_like(coefficient).index_copy_(0, order, coefficient.index_select(0, order).mul_(byRank));
            }
            else if (targetCount is int k)
            {
                if (k < 0 || k >= weight.shape[0])
                {
                    throw new ArgumentOutOfRangeException(nameof(targetCount), k, $"The number of filters the force acts on must lie in [0, {weight.shape[0]}) for a conv of {weight.shape[0]} filters.");
                }

                // Zero outside the k smallest magnitudes (the folded ranking's removal set; exact ties are measure-zero).
                var targeted = zeros_like(coefficient);
                if (k > 0)
                {
                    var weakest = (targetByRawNorm ? rawNorm : magnitude.detach()).topk(k, largest: false).indexes;
                    targeted.index_copy_(0, weakest, coefficient.index_select(0, weakest));
                }

                coefficient = targeted;
            }
        }

        return magnitude.dot(coefficient).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The graded force's weights for a conv of <paramref name="filters"/> filters: the probability that the filter of rank
    /// p (weakest first, p = 0 .. N-1) is removed when the ratio r is drawn uniformly from
    /// [<paramref name="minRatio"/>, <paramref name="maxRatio"/>]. Pruning at r removes the <c>ceil(r N)</c> weakest, so
    /// rank p goes when <c>r N &gt; p</c>: <c>P = clamp((maxRatio - p / N) / (maxRatio - minRatio), 0, 1)</c>, 1 for the
    /// filters every ratio of the range removes, falling linearly to 0 at <paramref name="maxRatio"/>. With
    /// <c>minRatio = maxRatio</c> it is the targeted force's step: 1 for the <c>ceil(r N)</c> weakest, 0 for the others.
    /// The strongest filter is never removed (at most N - 1 are).
    /// </summary>
    /// <param name="filters">N, at least 1.</param>
    /// <param name="minRatio">The smallest ratio of the range, in [0, 1).</param>
    /// <param name="maxRatio">The largest, in [<paramref name="minRatio"/>, 1).</param>
    public static double[] RemovalProbabilities(int filters, double minRatio, double maxRatio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        if (!(minRatio >= 0 && minRatio <= maxRatio && maxRatio < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxRatio), $"The ratio range [{minRatio}, {maxRatio}] must satisfy 0 <= min <= max < 1.");
        }

        var weights = new double[filters];
        for (int p = 0; p < filters - 1; p++)
        {
            weights[p] = maxRatio == minRatio
                ? (p < Math.Ceiling(minRatio * filters) ? 1 : 0)
                : Math.Clamp((maxRatio - ((double)p / filters)) / (maxRatio - minRatio), 0, 1);
        }

        return weights;
    }

    private static Tensor ForceRates(Tensor flat, Tensor magnitude, double scale, double distanceEpsilon) =>
        ForceRatesFromCharges(flat.sum(1).sign_(), magnitude, scale, distanceEpsilon);

    private static Tensor ForceRatesFromCharges(Tensor sign, Tensor magnitude, double scale, double distanceEpsilon)
    {
        var source = FirstArgMax(magnitude).unsqueeze(0);
        var charge = sign * magnitude;
        var sourceCharge = charge.index_select(0, source);
        var squaredDistance = (charge - sourceCharge).Squared().AtLeastInPlace(distanceEpsilon * distanceEpsilon);

        // |q_1| / r^2 is formed before the scale so no intermediate exceeds |q_1| / epsilon^2 times the scale.
        return sourceCharge.abs_().div(squaredDistance).TimesInPlace(scale).mul_(sign.abs_()).ZeroAt(0, source);
    }

    /// <summary>Index of the largest value; torch documents that ties resolve to the first (lowest) index.</summary>
    private static Tensor FirstArgMax(Tensor values) => values.detach().argmax();

    private static Tensor Flatten(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() < 2 || weight.shape[0] < 1)
        {
            throw new ArgumentException($"Expected a convolution weight of shape [filters, channels, k, k] with at least one filter, got [{string.Join(", ", weight.shape)}].", nameof(weight));
        }

        return weight.flatten(1);
    }

    /// <summary>
    /// <c>alpha_e * k_e</c>, formed in double so that neither factor alone (1e-17 or 8.99e9) ever meets float32, after the
    /// one check of both constants that the trainer's options, the regularizers and <see cref="ElectrostaticPenalty"/> share.
    /// </summary>
    /// <param name="forceRate">alpha_e: finite and at least 0.</param>
    /// <param name="coulombConstant">k_e: finite and greater than 0.</param>
    /// <param name="forceRateName">How the exception names alpha_e.</param>
    /// <param name="coulombConstantName">How the exception names k_e.</param>
    /// <exception cref="ArgumentOutOfRangeException">A constant is out of range, or the product overflows.</exception>
    public static double ForceScale(double forceRate, double coulombConstant, string forceRateName = "forceRate", string coulombConstantName = "coulombConstant")
    {
        if (!double.IsFinite(forceRate) || forceRate < 0)
        {
            throw new ArgumentOutOfRangeException(forceRateName, forceRate, $"{forceRateName} (the electrostatic force rate alpha_e) must be finite and at least 0; the paper uses 1e-11 to 1e-17.");
        }

        CheckCoulombConstant(coulombConstant, coulombConstantName);
        double scale = forceRate * coulombConstant;
        return double.IsFinite(scale)
            ? scale
            : throw new ArgumentOutOfRangeException(forceRateName, forceRate, $"alpha_e * k_e = {forceRate} * {coulombConstant} overflows a double; use a smaller {forceRateName}.");
    }

    /// <summary>Checks <c>k_e</c>: finite and greater than 0.</summary>
    public static void CheckCoulombConstant(double coulombConstant, string name = "coulombConstant")
    {
        if (!double.IsFinite(coulombConstant) || coulombConstant <= 0)
        {
            throw new ArgumentOutOfRangeException(name, coulombConstant, $"{name} (the Coulomb constant k_e) must be finite and greater than 0 (default 8.99e9).");
        }
    }

    /// <summary>Checks the distance guard: finite and greater than 0.</summary>
    public static void CheckDistanceEpsilon(double distanceEpsilon, string name = "distanceEpsilon")
    {
        if (!double.IsFinite(distanceEpsilon) || distanceEpsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(name, distanceEpsilon, $"{name} (the distance guard epsilon) must be finite and greater than 0 (default 1e-3).");
        }
    }

    private static void ValidateConstants(double coulombConstant, double distanceEpsilon)
    {
        CheckCoulombConstant(coulombConstant);
        CheckDistanceEpsilon(distanceEpsilon);
    }
}
