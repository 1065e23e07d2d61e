using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// The paper's electrostatic-force penalty (Eqs. 2-10) for any TorchSharp training loop: give it the weights of the
/// convolutions to prune, add the returned scalar to the loss, call <c>backward()</c>.
/// </summary>
/// <remarks>
/// <para>For each convolution weight <c>W</c> of shape <c>[N, C, kH, kW]</c> (filter <c>n</c> is <c>W_n = W[n]</c>):</para>
/// <list type="bullet">
/// <item><description>Eq. 3, magnitude: <c>|q_n| = ||W_n||_1 = sum_i |w_i|</c>.</description></item>
/// <item><description>Eq. 4, sign: <c>sign(q_n) = sign(sum_i w_i)</c> (0 when the weights sum to exactly 0: a neutral filter).</description></item>
/// <item><description>Eq. 2, charge: <c>q_n = sign(sum_i w_i) * ||W_n||_1</c>.</description></item>
/// <item><description>Source filter <c>q_1</c>: the filter with the largest L1 norm (the lowest index on ties).</description></item>
/// <item><description>Eq. 5, distance: <c>r_n = |q_1 - q_n|</c>; a distance below the guard <c>epsilon</c> (a charge tied with the source's) is replaced by <c>epsilon</c>.</description></item>
/// <item><description>Eq. 6, force: <c>F_n = k_e |q_1||q_n| / max(r_n, epsilon)^2</c>; 0 for the source itself and for neutral filters (and for every filter when the source is neutral).</description></item>
/// <item><description>Eq. 7, penalty: <c>P = alpha_e * sum_{n,l} F_{n,l}</c> over the filters of every given layer, added to the data loss <c>J</c>.</description></item>
/// <item><description>
/// Eqs. 8-10, gradient (<see cref="ForceGradientMode.Paper"/>): <c>dP/dw = alpha_e k_e |q_1| / max(r_n, epsilon)^2 * sign(w)</c>
/// for every weight <c>w</c> of filter <c>n</c>, 0 for the source and neutral filters, so one SGD step (Eq. 11) shrinks
/// filters whose charge is close to the source's (repelled, same sign) much more than those of opposite sign (attracted).
/// </description></item>
/// </list>
/// <para>
/// In Paper mode the returned tensor is the surrogate <c>sum_n c_n ||W_n||_1</c> with the detached coefficients
/// <c>c_n = alpha_e k_e |q_1| / max(r_n, epsilon)^2</c>: its value equals <c>P</c> (because <c>|q_n| = ||W_n||_1</c>)
/// and its gradient is exactly Eq. 10. In <see cref="ForceGradientMode.Exact"/> mode the tensor is <c>P</c> itself and
/// autograd differentiates through <c>|q_1|</c>, <c>|q_n|</c> and <c>r_n</c> (the signs and the source index are held
/// for the step). <c>alpha_e * k_e</c> is multiplied in double, so <c>alpha_e</c> as small as 1e-17 is exact in float32
/// training. Each layer costs a fixed, small number of tensor operations, whatever its filter count.
/// </para>
/// <para>The object is immutable and holds no native memory; one instance may be shared by any number of steps and models.</para>
/// </remarks>
/// <example>
/// A complete program, the penalty in a plain TorchSharp training loop: <c>src/Samples/Examples/PenaltyInTorchSharpLoop.cs</c> in the repository, run by
/// <c>dotnet run -c Release --project src/Samples -- example torchsharp-penalty</c>.
/// </example>
public sealed class ElectrostaticPenalty
{
    /// <summary>Coulomb's constant <c>k_e = 8.99e9</c> N m^2 C^-2, the paper's value and the default.</summary>
    public const double DefaultCoulombConstant = ElectrostaticForce.DefaultCoulombConstant;

    /// <summary>
    /// The default distance guard <c>epsilon = 1e-3</c>. Charges are L1 norms of at least 9 weights (typically 1-100),
    /// so two charges closer than 1e-3 are a tie; the guard changes no force except at ties and bounds the Paper-mode
    /// gradient by <c>1e6 alpha_e k_e |q_1|</c> per weight.
    /// </summary>
    public const double DefaultDistanceEpsilon = ElectrostaticForce.DefaultDistanceEpsilon;

    private readonly ElectrostaticForceRegularizer _regularizer;

    /// <summary>Creates the penalty <c>alpha_e * sum_{n,l} F_{n,l}</c> (Eq. 7).</summary>
    /// <param name="forceRate">
    /// The electrostatic force rate <c>alpha_e</c>, finite and at least 0; the paper uses 1e-11 to 1e-17 with
    /// <c>k_e = 8.99e9</c> (so <c>alpha_e k_e</c> is about 1e-7 to 1e-1). 0 gives a zero penalty and zero gradient.
    /// </param>
    /// <param name="coulombConstant">Coulomb's constant <c>k_e</c>, finite and greater than 0 (default 8.99e9).</param>
    /// <param name="mode">How the gradient is formed: <see cref="ForceGradientMode.Paper"/> (Eq. 10, the default) or <see cref="ForceGradientMode.Exact"/>.</param>
    /// <param name="distanceEpsilon">The distance guard <c>epsilon</c>, finite and greater than 0 (default 1e-3, in the unit of a charge, i.e. an L1 norm of weights).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range; the message names it and the range.</exception>
    public ElectrostaticPenalty(
        double forceRate,
        double coulombConstant = DefaultCoulombConstant,
        ForceGradientMode mode = ForceGradientMode.Paper,
        double distanceEpsilon = DefaultDistanceEpsilon)
    {
        // The checks of the constants live in ElectrostaticForce, shared with the trainer's regularizers.
        _regularizer = new ElectrostaticForceRegularizer(forceRate, coulombConstant, mode, distanceEpsilon);
    }

    /// <summary>The electrostatic force rate <c>alpha_e</c> (finite, at least 0).</summary>
    public double ForceRate => _regularizer.Alpha;

    /// <summary>Coulomb's constant <c>k_e</c> (finite, greater than 0).</summary>
    public double CoulombConstant => _regularizer.CoulombConstant;

    /// <summary>How the gradient is formed (Paper: Eq. 10; Exact: full autograd).</summary>
    public ForceGradientMode Mode => _regularizer.Mode;

    /// <summary>The distance guard <c>epsilon</c> (finite, greater than 0): <c>r_n</c> is used as <c>max(r_n, epsilon)</c>.</summary>
    public double DistanceEpsilon => _regularizer.DistanceEpsilon;

    /// <summary>
    /// The penalty <c>alpha_e * sum_{n,l} F_{n,l}</c> (Eq. 7) over the filters of <paramref name="convWeights"/>, as a
    /// scalar tensor whose gradient follows <see cref="Mode"/>; add it to the loss before <c>backward()</c>.
    /// </summary>
    /// <param name="convWeights">
    /// The weights of the convolutions to regularize (usually those a pruning plan prunes), each a floating-point tensor
    /// <c>[N, C, kH, kW]</c> with at least one filter (any rank of at least 2 works: dimension 0 indexes the filters), all
    /// on one device; at least one. Pass the parameters themselves (<c>conv.weight</c>) so that the gradient reaches them.
    /// </param>
    /// <returns>
    /// A 0-dimensional tensor on the weights' device, in their dtype (promoted when they differ), owned by the caller's
    /// current dispose scope (or by the caller, outside any scope). It is 0 when <see cref="ForceRate"/> is 0.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="convWeights"/> is null.</exception>
    /// <exception cref="ArgumentException">The list is empty, or an entry is null, not floating-point, of rank below 2, without filters, or on another device than the first.</exception>
    public Tensor Compute(IReadOnlyList<Tensor> convWeights)
    {
        ValidateWeights(convWeights);
        return _regularizer.Penalty(convWeights);
    }

    /// <summary>
    /// Per-filter charges <c>q_n</c>, forces <c>F_n = k_e |q_1||q_n| / max(r_n, epsilon)^2</c> (without <c>alpha_e</c>),
    /// L1 norms and roles (source, repelled, attracted, neutral) of one convolution, computed in double without gradient.
    /// </summary>
    /// <param name="convWeight">A floating-point convolution weight <c>[N, C, kH, kW]</c> with at least one filter.</param>
    /// <param name="layerName">The name reported with the statistics, e.g. the module path; may be empty.</param>
    /// <returns>Plain managed data; <c>ForceRate * Forces.Sum()</c> is the layer's share of <see cref="Compute"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="convWeight"/> or <paramref name="layerName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="convWeight"/> is not floating-point, of rank below 2 or without filters.</exception>
    public LayerForceStatistics Statistics(Tensor convWeight, string layerName = "")
    {
        ArgumentNullException.ThrowIfNull(convWeight);
        ArgumentNullException.ThrowIfNull(layerName);
        string? problem = WeightProblem(convWeight);
        if (problem is not null)
        {
            throw new ArgumentException($"The convolution weight {problem}.", nameof(convWeight));
        }

        return ElectrostaticForce.Statistics(convWeight, layerName, CoulombConstant, DistanceEpsilon);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"electrostatic penalty (alpha_e {ForceRate:G3}, k_e {CoulombConstant:G3}, {Mode} gradient, epsilon {DistanceEpsilon:G3})");

    private static void ValidateWeights(IReadOnlyList<Tensor> convWeights)
    {
        ArgumentNullException.ThrowIfNull(convWeights);
        if (convWeights.Count == 0)
        {
            throw new ArgumentException("Give the weights of at least one convolution to regularize.", nameof(convWeights));
        }

        for (int i = 0; i < convWeights.Count; i++)
        {
            var weight = convWeights[i];
            string? problem = weight is null ? "is null" : WeightProblem(weight);
            if (problem is null && (weight!.device_type != convWeights[0].device_type || weight.device_index != convWeights[0].device_index))
            {
                problem = $"is on {weight.device}, the first on {convWeights[0].device}; all must be on one device";
            }

            if (problem is not null)
            {
                throw new ArgumentException($"Convolution weight {i} {problem}.", nameof(convWeights));
            }
        }
    }

    private static string? WeightProblem(Tensor weight) =>
        weight.IsInvalid ? "has been disposed"
        : !weight.is_floating_point() ? $"has dtype {weight.dtype}; a floating-point weight is needed"
        : weight.dim() < 2 || weight.shape[0] < 1 ? $"has shape [{string.Join(", ", weight.shape)}]; expected [filters, channels, kH, kW] with at least one filter"
        : null;
}
