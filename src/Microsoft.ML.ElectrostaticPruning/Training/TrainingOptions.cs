using Microsoft.ML.ElectrostaticPruning.Regularization;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>Settings of one <see cref="NetworkTrainer"/> run. Defaults follow the paper's Table 1 "pr" column.</summary>
internal sealed class TrainingOptions
{
    /// <summary>Number of epochs; at least 1. Default 1.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Images per SGD step; at least 1. Default 128. Also the evaluation batch size.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Learning-rate schedule. Default <see cref="LearningRateSchedule.P1"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.P1;

    /// <summary>SGD momentum, in [0, 1). Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD weight decay (L2 on all parameters), finite and &gt;= 0. Default 0 (the paper's "pr"; "pr + ft" uses 5e-4).</summary>
    public double WeightDecay { get; set; }

    /// <summary>CIFAR-style augmentation: 4-pixel zero padding, random crop back to size, random horizontal flip. Default off.</summary>
    public bool Augment { get; set; }

    /// <summary>Penalty added to the cross-entropy. Default <see cref="RegularizerKind.ElectrostaticForce"/> (needs <see cref="Alpha"/>).</summary>
    public RegularizerKind Regularizer { get; set; } = RegularizerKind.ElectrostaticForce;

    /// <summary>Electrostatic force rate <c>alpha_e</c>, finite and &gt;= 0; required for the electrostatic force (the paper uses 1e-11 ... 1e-17).</summary>
    public double? Alpha { get; set; }

    /// <summary>Coulomb constant <c>k_e</c>, finite and &gt; 0. Default 8.99e9.</summary>
    public double CoulombConstant { get; set; } = ElectrostaticForce.DefaultCoulombConstant;

    /// <summary>Gradient of the electrostatic penalty. Default <see cref="ForceGradientMode.Paper"/> (Eq. 10).</summary>
    public ForceGradientMode GradientMode { get; set; } = ForceGradientMode.Paper;

    /// <summary>Distance guard: <c>r_eff = max(r, epsilon)</c>, finite and &gt; 0. Default 1e-3 (see <see cref="ElectrostaticForce.DefaultDistanceEpsilon"/>).</summary>
    public double DistanceEpsilon { get; set; } = ElectrostaticForce.DefaultDistanceEpsilon;

    /// <summary>Rate of the L1 baseline, <c>rate * sum |w|</c>, finite and &gt;= 0. Default 1e-2 (the paper's).</summary>
    public double L1Rate { get; set; } = L1NormRegularizer.DefaultRate;

    /// <summary>Seed of the shuffling, augmentation and torch RNG per epoch; the same seed reproduces a CPU run exactly. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Where to train. Default <see cref="TrainingDevice.Auto"/>.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

    /// <summary>File written (atomically) after every epoch with weights, optimizer state and progress; null for none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when that file exists (otherwise start fresh). Default false.</summary>
    public bool Resume { get; set; }

    /// <summary>Throws a specific exception, naming the option and the valid range, for the first invalid setting.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (Schedule is null)
        {
            throw new ArgumentNullException(nameof(Schedule), "Schedule must be set, e.g. LearningRateSchedule.P1 or LearningRateSchedule.Parse(\"0:1e-1,100:1e-2\").");
        }

        if (!double.IsFinite(Momentum) || Momentum < 0 || Momentum >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1) (the paper uses 0.9).");
        }

        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be finite and at least 0 (the paper uses 0 or 5e-4).");
        }

        if (!Enum.IsDefined(Regularizer))
        {
            throw new ArgumentOutOfRangeException(nameof(Regularizer), Regularizer, "Regularizer must be None, L1 or ElectrostaticForce.");
        }

        if (Regularizer == RegularizerKind.ElectrostaticForce && Alpha is null)
        {
            throw new ArgumentException("Alpha (the electrostatic force rate alpha_e) is required when Regularizer is ElectrostaticForce; the paper uses 1e-11 to 1e-17.", nameof(Alpha));
        }

        if (Alpha is double alpha && (!double.IsFinite(alpha) || alpha < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), alpha, "Alpha (alpha_e) must be finite and at least 0; the paper uses 1e-11 to 1e-17.");
        }

        if (!double.IsFinite(CoulombConstant) || CoulombConstant <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CoulombConstant), CoulombConstant, "CoulombConstant (k_e) must be finite and greater than 0 (default 8.99e9).");
        }

        if (!Enum.IsDefined(GradientMode))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientMode), GradientMode, "GradientMode must be Paper or Exact.");
        }

        if (!double.IsFinite(DistanceEpsilon) || DistanceEpsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DistanceEpsilon), DistanceEpsilon, "DistanceEpsilon must be finite and greater than 0 (default 1e-3).");
        }

        if (!double.IsFinite(L1Rate) || L1Rate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(L1Rate), L1Rate, "L1Rate must be finite and at least 0 (the paper uses 1e-2).");
        }

        if (!Enum.IsDefined(Device))
        {
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Device must be Auto, Cpu or Cuda.");
        }

        if (Resume && string.IsNullOrWhiteSpace(CheckpointPath))
        {
            throw new ArgumentException("Resume needs CheckpointPath: the file to resume from.", nameof(CheckpointPath));
        }
    }

    /// <summary>The regularizer these options describe, or null for <see cref="RegularizerKind.None"/>.</summary>
    public IWeightRegularizer? CreateRegularizer() => Regularizer switch
    {
        RegularizerKind.None => null,
        RegularizerKind.L1 => new L1NormRegularizer(L1Rate),
        _ => new ElectrostaticForceRegularizer(Alpha ?? throw new ArgumentException("Alpha is required for the electrostatic force.", nameof(Alpha)), CoulombConstant, GradientMode, DistanceEpsilon),
    };
}
