using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Regularization;

/// <summary>
/// The paper's regularizer: <c>alpha_e * sum over layers and filters of F_{n,l}</c> (Eq. 7), with F from Eq. 6.
/// </summary>
internal sealed class ElectrostaticForceRegularizer : IWeightRegularizer
{
    private readonly double _forceScale;

    /// <summary>Creates the regularizer.</summary>
    /// <param name="alpha">Electrostatic force rate <c>alpha_e</c>, finite and &gt;= 0 (the paper uses 1e-11 ... 1e-17).</param>
    /// <param name="coulombConstant">Coulomb constant <c>k_e</c>, finite and &gt; 0 (default 8.99e9).</param>
    /// <param name="mode">Gradient mode (default <see cref="ForceGradientMode.Paper"/>, Eq. 10).</param>
    /// <param name="distanceEpsilon">Distance guard, finite and &gt; 0 (default 1e-3; see <see cref="ElectrostaticForce.DefaultDistanceEpsilon"/>).</param>
    public ElectrostaticForceRegularizer(
        double alpha,
        double coulombConstant = ElectrostaticForce.DefaultCoulombConstant,
        ForceGradientMode mode = ForceGradientMode.Paper,
        double distanceEpsilon = ElectrostaticForce.DefaultDistanceEpsilon)
    {
        if (!double.IsFinite(alpha) || alpha < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The electrostatic force rate alpha_e must be finite and at least 0 (the paper uses 1e-11 to 1e-17).");
        }

        if (!double.IsFinite(coulombConstant) || coulombConstant <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(coulombConstant), coulombConstant, "The Coulomb constant k_e must be finite and greater than 0 (default 8.99e9).");
        }

        if (!double.IsFinite(distanceEpsilon) || distanceEpsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(distanceEpsilon), distanceEpsilon, "The distance guard epsilon must be finite and greater than 0 (default 1e-3).");
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "The gradient mode must be Paper or Exact.");
        }

        Alpha = alpha;
        CoulombConstant = coulombConstant;
        Mode = mode;
        DistanceEpsilon = distanceEpsilon;

        // alpha_e (down to 1e-17) and k_e (8.99e9) are combined in double; only their product (about 1e-7 .. 1e-1
        // for the paper's range) ever reaches float32 arithmetic.
        _forceScale = alpha * coulombConstant;
    }

    /// <inheritdoc />
    public RegularizerKind Kind => RegularizerKind.ElectrostaticForce;

    /// <summary>Electrostatic force rate <c>alpha_e</c>.</summary>
    public double Alpha { get; }

    /// <summary>Coulomb constant <c>k_e</c>.</summary>
    public double CoulombConstant { get; }

    /// <summary>Gradient mode.</summary>
    public ForceGradientMode Mode { get; }

    /// <summary>Distance guard <c>epsilon</c>.</summary>
    public double DistanceEpsilon { get; }

    /// <inheritdoc />
    public Tensor Penalty(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0)
        {
            throw new ArgumentException("The electrostatic force needs at least one convolution layer to regularize.", nameof(weights));
        }

        using var scope = NewDisposeScope();
        var total = ElectrostaticForce.LayerPenalty(weights[0], _forceScale, Mode, DistanceEpsilon);
        for (int i = 1; i < weights.Count; i++)
        {
            total = total.Plus(ElectrostaticForce.LayerPenalty(weights[i], _forceScale, Mode, DistanceEpsilon));
        }

        return total.MoveToOuterDisposeScope();
    }
}
