namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>Settings of one <see cref="NetworkTrainer"/> run. Defaults follow the paper's Table 1 "pr" column.</summary>
internal sealed class TrainingOptions
{
    /// <summary>Number of epochs; at least 1. Default 1.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Images per SGD step; at least 1. Default 128. Also the evaluation batch size.</summary>
    public int BatchSize { get; set; } = ElectrostaticCnnTrainer.Defaults.BatchSize;

    /// <summary>Learning-rate schedule; the trainer runs its <see cref="LearningRateSchedule.ForEpochs"/> of <see cref="Epochs"/>. Default <see cref="LearningRateSchedule.P1Scaled"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = ElectrostaticCnnTrainer.Defaults.LearningRateSchedule;

    /// <summary>Epochs of linear learning-rate warm-up at the start, at least 0. Default 0.</summary>
    public int WarmupEpochs { get; set; }

    /// <summary>SGD momentum, in [0, 1). Default 0.9.</summary>
    public double Momentum { get; set; } = ElectrostaticCnnTrainer.Defaults.Momentum;

    /// <summary>SGD weight decay (L2 on all parameters), finite and &gt;= 0. Default 0 (the paper's "pr"; "pr + ft" uses 5e-4).</summary>
    public double WeightDecay { get; set; } = ElectrostaticCnnTrainer.Defaults.WeightDecay;

    /// <summary>CIFAR-style augmentation: 4-pixel zero padding, random crop back to size, random horizontal flip. Default off.</summary>
    public bool Augment { get; set; }

    /// <summary>Penalty added to the cross-entropy of the regularized convs; null for plain cross-entropy. Default null.</summary>
    public PruningRegularizer.OptionsBase? Regularizer { get; set; }

    /// <summary>The plan that prunes the regularized convs (a targeted penalty acts on the filters it removes); null for none.</summary>
    public PruningPlan? Plan { get; set; }

    /// <summary>
    /// First epoch (0-based) whose steps add the penalty; the epochs before it train on cross-entropy alone. In [0, Epochs)
    /// when there is a regularizer. Default 0 (the penalty from the first step, the paper's Algorithm 1).
    /// </summary>
    public int PenaltyStartEpoch { get; set; }

    /// <summary>Sandwich training over a ratio range; null for plain steps. Needs <see cref="Plan"/>. Default null.</summary>
    public AnyRatioTrainingOptions? AnyRatio { get; set; }

    /// <summary>Seed of the shuffling, augmentation and torch RNG per epoch; the same seed reproduces a CPU run exactly. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Where to train. Default <see cref="TrainingDevice.Auto"/>.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

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

        Regularizer?.Validate(Epochs, warmStart: false);
        if (PenaltyStartEpoch < 0 || (Regularizer is not null && PenaltyStartEpoch >= Epochs))
        {
            throw new ArgumentOutOfRangeException(
                Name(nameof(PenaltyStartEpoch)),
                PenaltyStartEpoch,
                $"{Name(nameof(PenaltyStartEpoch))} must lie in [0, {Name(nameof(Epochs))}) = [0, {Epochs}) so that the {Regularizer?.Name} acts on at least one epoch.");
        }

        OptionChecks.RequireMomentum(Momentum, Name(nameof(Momentum)));
        OptionChecks.RequireNonNegative(WeightDecay, Name(nameof(WeightDecay)), WeightDecayHint);
        OptionChecks.RequireDevice(Device, Name(nameof(Device)));
        AnyRatio?.Validate(Epochs);
    }
}
