using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Everything one training run needs, resolved from the command line and the command's defaults.</summary>
/// <param name="Method">Display name (plain, L1-norm, electrostatic force).</param>
/// <param name="Architecture">Network.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="Schedule">Learning-rate schedule.</param>
/// <param name="Momentum">SGD momentum.</param>
/// <param name="WeightDecay">SGD weight decay.</param>
/// <param name="Augment">CIFAR-style augmentation.</param>
/// <param name="Regularizer">Penalty on the layers the plan prunes.</param>
/// <param name="Alpha">Electrostatic force rate alpha_e.</param>
/// <param name="CoulombConstant">Coulomb constant k_e.</param>
/// <param name="GradientMode">Gradient of the electrostatic penalty.</param>
/// <param name="L1Rate">Rate of the L1 penalty.</param>
/// <param name="Plan">Pruning plan: which layers are regularized, and how the returned model is pruned.</param>
/// <param name="FineTuneEpochs">Fine-tuning epochs inside Fit (0 = none).</param>
/// <param name="Seed">Seed of initialisation, shuffling and augmentation.</param>
/// <param name="Device">Training device.</param>
internal sealed record TrainingSpec(
    string Method,
    CnnArchitecture Architecture,
    int Epochs,
    int BatchSize,
    LearningRateSchedule Schedule,
    double Momentum,
    double WeightDecay,
    bool Augment,
    RegularizerKind Regularizer,
    double Alpha,
    double CoulombConstant,
    ForceGradientMode GradientMode,
    double L1Rate,
    PruningPlan Plan,
    int FineTuneEpochs,
    int Seed,
    TrainingDevice Device)
{
    /// <summary>The ML.NET trainer's options for this run.</summary>
    public ElectrostaticCnnTrainer.Options ToOptions(IDataView? validation, Action<EpochMetrics>? progress, CancellationToken cancellationToken) => new()
    {
        Architecture = Architecture,
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRateSchedule = Schedule,
        Momentum = Momentum,
        WeightDecay = WeightDecay,
        Augment = Augment,
        Regularizer = Regularizer,
        ForceRate = Alpha,
        CoulombConstant = CoulombConstant,
        GradientMode = GradientMode,
        L1Rate = L1Rate,
        PruningPlan = Plan,
        FineTuneEpochs = FineTuneEpochs,
        FineTuneSchedule = LearningRateSchedule.P2,
        Seed = Seed,
        Device = Device,
        ValidationSet = validation,
        ProgressCallback = progress,
        CancellationToken = cancellationToken,
    };

    /// <summary>One line for logs and reports.</summary>
    public string Describe() => FormattableString.Invariant(
        $"{Architecture}, {Epochs} epochs, batch {BatchSize}, lr {Schedule}{WarmupText()}, SGD({Momentum}, {WeightDecay}), {RegularizerText()}, plan {Plan}, seed {Seed}");

    // ToOptions keeps the trainer's default warm-up; say so, since the schedule alone does not.
    private static string WarmupText() => new ElectrostaticCnnTrainer.Options().WarmupEpochs is int warmup and > 0
        ? FormattableString.Invariant($" with {warmup} linear warm-up epoch(s) first")
        : string.Empty;

    private string RegularizerText() => Regularizer switch
    {
        RegularizerKind.ElectrostaticForce => FormattableString.Invariant($"electrostatic force alpha_e {Alpha:G3} k_e {CoulombConstant:G3} ({GradientMode} gradient)"),
        RegularizerKind.FoldedElectrostaticForce => FormattableString.Invariant($"electrostatic force on BatchNorm-folded charges alpha_e {Alpha:G3} k_e {CoulombConstant:G3}, on the filters the plan removes (the first half plain when trained from random weights)"),
        RegularizerKind.L1 => FormattableString.Invariant($"L1-norm rate {L1Rate:G3}"),
        RegularizerKind.NetworkSlimming => "network slimming",
        _ => "no regularizer",
    };
}
