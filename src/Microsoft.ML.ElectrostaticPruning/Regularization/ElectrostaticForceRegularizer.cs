using System.Globalization;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// The paper's electrostatic-force penalty on raw-weight charges: <c>alpha_e * sum over layers and filters of F_{n,l}</c>
/// (Eq. 7) with <c>q_n = sign(sum W_n) ||W_n||_1</c>, <c>r_n = |q_1 - q_n|</c> and <c>F_n = k_e |q_1||q_n| / r_n^2</c>
/// (Eqs. 2-6; the equations are documented on <see cref="ElectrostaticPenalty"/>). Select it with
/// <c>Regularizer = new ElectrostaticForceRegularizer.Options { ForceRate = 1e-11 }</c>.
/// </summary>
/// <remarks>
/// BatchNorm cancels any change of a filter's weight scale, so on the zoo's networks (a BatchNorm after every conv) the
/// paper's force cannot kill a channel; <see cref="FoldedForceRegularizer"/> computes the charges on the BatchNorm-folded
/// filters instead (docs/batchnorm-pruning.md).
/// </remarks>
public sealed class ElectrostaticForceRegularizer : PruningRegularizer
{
    private readonly double _forceScale;

    /// <summary>Creates the penalty; the arguments are checked.</summary>
    /// <param name="forceRate">Electrostatic force rate <c>alpha_e</c>, finite and at least 0.</param>
    /// <param name="coulombConstant">Coulomb constant <c>k_e</c>, finite and greater than 0.</param>
    /// <param name="mode">How the gradient is formed.</param>
    /// <param name="distanceEpsilon">Distance guard, finite and greater than 0.</param>
    internal ElectrostaticForceRegularizer(
        double forceRate,
        double coulombConstant = ElectrostaticForce.DefaultCoulombConstant,
        ForceGradientMode mode = ForceGradientMode.Paper,
        double distanceEpsilon = ElectrostaticForce.DefaultDistanceEpsilon)
    {
        _forceScale = ElectrostaticForce.ForceScale(forceRate, coulombConstant, nameof(forceRate), nameof(coulombConstant));
        ElectrostaticForce.CheckDistanceEpsilon(distanceEpsilon, nameof(distanceEpsilon));
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "The gradient mode must be Paper or Exact.");
        }

        Alpha = forceRate;
        CoulombConstant = coulombConstant;
        Mode = mode;
        DistanceEpsilon = distanceEpsilon;
    }

    /// <summary>Electrostatic force rate <c>alpha_e</c>.</summary>
    internal double Alpha { get; }

    /// <summary>Coulomb constant <c>k_e</c>.</summary>
    internal double CoulombConstant { get; }

    /// <summary>Gradient mode.</summary>
    internal ForceGradientMode Mode { get; }

    /// <summary>Distance guard <c>epsilon</c>.</summary>
    internal double DistanceEpsilon { get; }

    /// <inheritdoc />
    internal override Tensor Penalty(IReadOnlyList<Tensor> weights)
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

    /// <summary>Settings of the paper's force.</summary>
    public sealed class Options : OptionsBase
    {
        /// <summary>
        /// Electrostatic force rate <c>alpha_e</c> of Eq. 7, finite and at least 0; <c>alpha_e * k_e</c> is formed in double.
        /// Default 1e-11, the paper's value for ResNet-56 (it uses 1e-12 for VGG-19: larger networks need smaller rates;
        /// its range is 1e-11 to 1e-17).
        /// </summary>
        public double ForceRate { get; set; } = ElectrostaticCnnTrainer.Defaults.ForceRate;

        /// <summary>Coulomb constant <c>k_e</c> of <c>F_e = k_e |q_1||q_n| / r^2</c>, finite and greater than 0. Default 8.99e9.</summary>
        public double CoulombConstant { get; set; } = ElectrostaticForce.DefaultCoulombConstant;

        /// <summary>
        /// Gradient of the penalty: <see cref="ForceGradientMode.Paper"/> (Eq. 10, <c>alpha_e k_e |q_1| / r^2 * sign(w)</c>,
        /// the default) or <see cref="ForceGradientMode.Exact"/> (autograd of Eq. 7).
        /// </summary>
        public ForceGradientMode GradientMode { get; set; } = ForceGradientMode.Paper;

        /// <inheritdoc />
        internal override string Name => "electrostatic force";

        /// <inheritdoc />
        internal override string Settings => string.Create(CultureInfo.InvariantCulture, $" (alpha_e {ForceRate:G3}, k_e {CoulombConstant:G3}, {GradientMode} gradient)");

        /// <inheritdoc />
        internal override PruningRegularizer Create(RegularizationTarget target) => new ElectrostaticForceRegularizer(ForceRate, CoulombConstant, GradientMode);

        /// <inheritdoc />
        private protected override void ValidateSettings()
        {
            ElectrostaticForce.ForceScale(ForceRate, CoulombConstant, OptionName(nameof(ForceRate)), OptionName(nameof(CoulombConstant)));
            if (!Enum.IsDefined(GradientMode))
            {
                throw new ArgumentOutOfRangeException(nameof(GradientMode), GradientMode, $"{OptionName(nameof(GradientMode))} must be Paper or Exact.");
            }
        }
    }
}
