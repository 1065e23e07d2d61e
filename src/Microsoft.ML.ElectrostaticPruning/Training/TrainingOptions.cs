namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>Settings of one <see cref="NetworkTrainer"/> run. Defaults follow the paper's Table 1 "pr" column.</summary>
internal sealed class TrainingOptions
{
    /// <summary>Number of epochs; at least 1. Default 1.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Images per SGD step; at least 1. Default 128. Also the evaluation batch size.</summary>
    public int BatchSize { get; set; } = ElectrostaticCnnTrainer.Defaults.BatchSize;

    /// <summary>Learning-rate schedule. Default <see cref="LearningRateSchedule.P1"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = ElectrostaticCnnTrainer.Defaults.LearningRateSchedule;

    /// <summary>Epochs of linear learning-rate warm-up at the start, at least 0. Default 0.</summary>
    public int WarmupEpochs { get; set; }

    /// <summary>SGD momentum, in [0, 1). Default 0.9.</summary>
    public double Momentum { get; set; } = ElectrostaticCnnTrainer.Defaults.Momentum;

    /// <summary>SGD weight decay (L2 on all parameters), finite and &gt;= 0. Default 0 (the paper's "pr"; "pr + ft" uses 5e-4).</summary>
    public double WeightDecay { get; set; } = ElectrostaticCnnTrainer.Defaults.WeightDecay;

    /// <summary>CIFAR-style augmentation: 4-pixel zero padding, random crop back to size, random horizontal flip. Default off.</summary>
    public bool Augment { get; set; }

    /// <summary>Penalty added to the cross-entropy. Default <see cref="RegularizerKind.ElectrostaticForce"/> (needs <see cref="Alpha"/>).</summary>
    public RegularizerKind Regularizer { get; set; } = ElectrostaticCnnTrainer.Defaults.Regularizer;

    /// <summary>
    /// First epoch (0-based) whose steps add the penalty; the epochs before it train on cross-entropy alone. In [0, Epochs)
    /// when there is a regularizer. Default 0 (the penalty from the first step, the paper's Algorithm 1).
    /// </summary>
    public int PenaltyStartEpoch { get; set; }

    /// <summary>
    /// For <see cref="RegularizerKind.FoldedElectrostaticForce"/>: per regularized layer (in the order of the regularized
    /// weights), how many of its weakest filters the force acts on (the filters pruning will remove); null: every filter.
    /// </summary>
    public IReadOnlyList<int>? ForceTargetCounts { get; set; }

    /// <summary>How the targets of <see cref="ForceTargetCounts"/> are ranked: as the pruning plan ranks. Default folded.</summary>
    public FilterRanking ForceTargetRanking { get; set; } = FilterRanking.FoldedL1Norm;

    /// <summary>Electrostatic force rate <c>alpha_e</c>, finite and &gt;= 0; required for the electrostatic force (the paper uses 1e-11 ... 1e-17).</summary>
    public double? Alpha { get; set; }

    /// <summary>Coulomb constant <c>k_e</c>, finite and &gt; 0. Default 8.99e9.</summary>
    public double CoulombConstant { get; set; } = ElectrostaticCnnTrainer.Defaults.CoulombConstant;

    /// <summary>Gradient of the electrostatic penalty. Default <see cref="ForceGradientMode.Paper"/> (Eq. 10).</summary>
    public ForceGradientMode GradientMode { get; set; } = ElectrostaticCnnTrainer.Defaults.GradientMode;

    /// <summary>Distance guard: <c>r_eff = max(r, epsilon)</c>, finite and &gt; 0. Default 1e-3 (see <see cref="ElectrostaticForce.DefaultDistanceEpsilon"/>).</summary>
    public double DistanceEpsilon { get; set; } = ElectrostaticForce.DefaultDistanceEpsilon;

    /// <summary>Rate of the L1 baseline, <c>rate * sum |w|</c>, finite and &gt;= 0. Default 1e-2 (the paper's).</summary>
    public double L1Rate { get; set; } = ElectrostaticCnnTrainer.Defaults.L1Rate;

    /// <summary>Rate of network slimming, <c>rate * sum |gamma|</c>, finite and &gt;= 0. Default 1e-4 (Liu et al. 2017).</summary>
    public double SlimmingRate { get; set; } = ElectrostaticCnnTrainer.Defaults.SlimmingRate;

    /// <summary>Seed of the shuffling, augmentation and torch RNG per epoch; the same seed reproduces a CPU run exactly. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Where to train. Default <see cref="TrainingDevice.Auto"/>.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

    /// <summary>File written (atomically) after every epoch with weights, optimizer state and progress; null for none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when that file exists (otherwise start fresh). Default false.</summary>
    public bool Resume { get; set; }

    /// <summary>What the paper uses for weight decay, quoted by every weight-decay check.</summary>
    internal const string WeightDecayHint = "the paper uses 0 for pruning and 5e-4 for fine-tuning";

    /// <summary>
    /// Throws a specific exception, naming the option and the valid range, for the first invalid setting. This is the one
    /// place the training settings are checked: the trainer's options and the fine-tuning options map their settings onto
    /// this record and pass <paramref name="optionName"/>, which turns a setting's name here into the name the user wrote
    /// (e.g. <c>Alpha</c> into <c>ForceRate</c>); the exception's parameter name and message use that name.
    /// </summary>
    public void Validate(Func<string, string>? optionName = null)
    {
        string Name(string setting) => optionName?.Invoke(setting) ?? setting;
        OptionChecks.RequirePositive(Epochs, Name(nameof(Epochs)));
        OptionChecks.RequirePositive(BatchSize, Name(nameof(BatchSize)));
        if (Schedule is null)
        {
            throw new ArgumentNullException(Name(nameof(Schedule)), $"{Name(nameof(Schedule))} must be set, e.g. LearningRateSchedule.P1 or LearningRateSchedule.Parse(\"0:1e-1,100:1e-2\").");
        }

        if (WarmupEpochs < 0)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(WarmupEpochs)), WarmupEpochs, $"{Name(nameof(WarmupEpochs))} must be at least 0 (0 = no warm-up).");
        }

        if (PenaltyStartEpoch < 0 || (Regularizer != RegularizerKind.None && PenaltyStartEpoch >= Epochs))
        {
            throw new ArgumentOutOfRangeException(
                Name(nameof(PenaltyStartEpoch)),
                PenaltyStartEpoch,
                $"{Name(nameof(PenaltyStartEpoch))} must lie in [0, {Name(nameof(Epochs))}) = [0, {Epochs}) so that the {Regularizer} penalty acts on at least one epoch.");
        }

        OptionChecks.RequireMomentum(Momentum, Name(nameof(Momentum)));
        OptionChecks.RequireNonNegative(WeightDecay, Name(nameof(WeightDecay)), WeightDecayHint);
        if (!Enum.IsDefined(Regularizer))
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Regularizer)), Regularizer, $"{Name(nameof(Regularizer))} must be None, L1, ElectrostaticForce, NetworkSlimming or FoldedElectrostaticForce.");
        }

        if (Regularizer is RegularizerKind.ElectrostaticForce or RegularizerKind.FoldedElectrostaticForce && Alpha is null)
        {
            throw new ArgumentException($"{Name(nameof(Alpha))} (the electrostatic force rate alpha_e) is required when {Name(nameof(Regularizer))} is ElectrostaticForce; the paper uses 1e-11 to 1e-17.", Name(nameof(Alpha)));
        }

        if (Alpha is double alpha)
        {
            OptionChecks.RequireNonNegative(alpha, Name(nameof(Alpha)), "alpha_e; the paper uses 1e-11 to 1e-17");
        }

        if (!double.IsFinite(CoulombConstant) || CoulombConstant <= 0)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(CoulombConstant)), CoulombConstant, $"{Name(nameof(CoulombConstant))} (k_e) must be finite and greater than 0 (default 8.99e9).");
        }

        if (!Enum.IsDefined(GradientMode))
        {
            throw new ArgumentOutOfRangeException(Name(nameof(GradientMode)), GradientMode, $"{Name(nameof(GradientMode))} must be Paper or Exact.");
        }

        if (!double.IsFinite(DistanceEpsilon) || DistanceEpsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(DistanceEpsilon)), DistanceEpsilon, $"{Name(nameof(DistanceEpsilon))} must be finite and greater than 0 (default 1e-3).");
        }

        OptionChecks.RequireNonNegative(L1Rate, Name(nameof(L1Rate)), "the paper uses 1e-2");
        OptionChecks.RequireNonNegative(SlimmingRate, Name(nameof(SlimmingRate)), "Liu et al. use 1e-4 and 1e-5");
        OptionChecks.RequireDevice(Device, Name(nameof(Device)));
        if (Resume && string.IsNullOrWhiteSpace(CheckpointPath))
        {
            throw new ArgumentException("Resume needs CheckpointPath: the file to resume from.", nameof(CheckpointPath));
        }
    }

    /// <summary>The regularizer these options describe, or null for <see cref="RegularizerKind.None"/>.</summary>
    /// <param name="batchNorms">
    /// The BatchNorm after each regularized conv, in the same order; required for <see cref="RegularizerKind.NetworkSlimming"/>
    /// and <see cref="RegularizerKind.FoldedElectrostaticForce"/>, ignored otherwise.
    /// </param>
    public IWeightRegularizer? CreateRegularizer(IReadOnlyList<TorchSharp.Modules.BatchNorm2d>? batchNorms = null) => Regularizer switch
    {
        RegularizerKind.None => null,
        RegularizerKind.L1 => new L1NormRegularizer(L1Rate),
        RegularizerKind.NetworkSlimming => BatchNormRegularizer.Slimming(batchNorms ?? [], SlimmingRate),
        RegularizerKind.FoldedElectrostaticForce => BatchNormRegularizer.FoldedForce(batchNorms ?? [], RequireAlpha() * CoulombConstant, DistanceEpsilon, ForceTargetCounts, ForceTargetRanking == FilterRanking.L1Norm),
        _ => new ElectrostaticForceRegularizer(RequireAlpha(), CoulombConstant, GradientMode, DistanceEpsilon),
    };

    private double RequireAlpha() => Alpha ?? throw new ArgumentException("Alpha is required for the electrostatic force.", nameof(Alpha));
}
