using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>
/// Training options shared by <c>train</c>, the default comparison job and <c>experiment</c>. Options left out take the
/// command's (or the preset's) defaults, which <c>--help</c> lists per command.
/// </summary>
internal class TrainingSettings : DataSettings
{
    /// <summary>Network architecture name (CnnArchitecture).</summary>
    [CommandOption("-a|--architecture <NAME>")]
    [Description("Network: SmallCnn, ResNet20/32/44/56/110, Vgg11/13/16/19, ResNet18/34/50.")]
    public string? Architecture { get; set; }

    /// <summary>Training epochs.</summary>
    [CommandOption("-e|--epochs <N>")]
    [Description("Training epochs.")]
    public int? Epochs { get; set; }

    /// <summary>Mini-batch size.</summary>
    [CommandOption("-b|--batch-size <N>")]
    [Description("Mini-batch size.")]
    public int? BatchSize { get; set; }

    /// <summary>Learning-rate schedule: P1, P2 or "epoch:rate,...".</summary>
    [CommandOption("--lr <SCHEDULE>")]
    [Description("Learning-rate schedule: P1 (0:1e-1,100:1e-2,150:1e-3), P2 (0:1e-2,60:1e-3,90:1e-4) or your own 'epoch:rate,...'.")]
    public string? LearningRate { get; set; }

    /// <summary>SGD momentum in [0, 1).</summary>
    [CommandOption("--momentum <M>")]
    [Description("SGD momentum, in [[0, 1).")]
    public double? Momentum { get; set; }

    /// <summary>SGD weight decay (L2), 0 or more.</summary>
    [CommandOption("--weight-decay <WD>")]
    [Description("SGD weight decay (L2 penalty), 0 or more.")]
    public double? WeightDecay { get; set; }

    /// <summary>Regularizer: none, l1 or electrostatic.</summary>
    [CommandOption("-r|--regularizer <KIND>")]
    [Description("none, l1 (L1-norm of the pruned layers' filters) or electrostatic (the paper's electrostatic force).")]
    public string? Regularizer { get; set; }

    /// <summary>Electrostatic force rate alpha_e.</summary>
    [CommandOption("--alpha <ALPHA_E>")]
    [Description("Electrostatic force rate alpha_e (> 0; the paper uses 1e-11 ... 1e-17).")]
    public double? Alpha { get; set; }

    /// <summary>Coulomb constant k_e.</summary>
    [CommandOption("--ke <K_E>")]
    [Description("Coulomb constant k_e (> 0; default 8.99e9).")]
    public double? CoulombConstant { get; set; }

    /// <summary>Gradient of the electrostatic penalty: paper or exact.</summary>
    [CommandOption("--gradient-mode <MODE>")]
    [Description("paper (Eq. 10: |q_1| and r held constant, default) or exact (autograd through q_1 and r).")]
    public string? GradientMode { get; set; }

    /// <summary>L1-norm regularization rate.</summary>
    [CommandOption("--l1-rate <RATE>")]
    [Description("L1-norm regularization rate (> 0; the paper's 1e-2 by default).")]
    public double? L1Rate { get; set; }

    /// <summary>Pruning plan (which layers are regularized and pruned, and how much).</summary>
    [CommandOption("-p|--plan <PLAN>")]
    [Description("Pruning plan: one ratio ('0.5'), per ResNet stage ('[[0,0.52,0.52,0.52,0]]') or per layer range ('[[0:0,1-15:0.65]]'); append 'round 16' to keep multiples of 16 filters (faster on CPUs, smaller FLOPs speedup).")]
    public string? Plan { get; set; }

    /// <summary>Blocks never pruned, as stage.block prefixes.</summary>
    [CommandOption("--skip <LIST>")]
    [Description("ResNet blocks never pruned, as stage.block prefixes, e.g. '1.0,2.0,2.3,3.0,3.5'.")]
    public string? Skip { get; set; }

    /// <summary>Fine-tuning epochs after pruning (0 = none).</summary>
    [CommandOption("--finetune-epochs <N>")]
    [Description("Fine-tuning epochs after pruning with SGD(0.9, 5e-4) and P2; 0 = no fine-tuning.")]
    public int? FinetuneEpochs { get; set; }

    /// <summary>CIFAR-style augmentation.</summary>
    [CommandOption("--augment")]
    [Description("CIFAR-style augmentation: 4-pixel padding, random crop, horizontal flip.")]
    public bool? Augment { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        if (Epochs is < 1)
        {
            return ValidationResult.Error($"--epochs must be at least 1 (got {Epochs}).");
        }

        if (BatchSize is < 1)
        {
            return ValidationResult.Error($"--batch-size must be at least 1 (got {BatchSize}).");
        }

        if (Momentum is { } momentum && (momentum < 0 || momentum >= 1 || double.IsNaN(momentum)))
        {
            return ValidationResult.Error($"--momentum must be in [0, 1) (got {momentum}).");
        }

        if (WeightDecay is { } decay && (decay < 0 || !double.IsFinite(decay)))
        {
            return ValidationResult.Error($"--weight-decay must be 0 or more (got {decay}).");
        }

        if (Alpha is { } alpha && (alpha <= 0 || !double.IsFinite(alpha)))
        {
            return ValidationResult.Error($"--alpha must be greater than 0, e.g. 1e-11 (got {alpha}).");
        }

        if (CoulombConstant is { } ke && (ke <= 0 || !double.IsFinite(ke)))
        {
            return ValidationResult.Error($"--ke must be greater than 0 (got {ke}).");
        }

        if (L1Rate is { } l1 && (l1 <= 0 || !double.IsFinite(l1)))
        {
            return ValidationResult.Error($"--l1-rate must be greater than 0 (got {l1}).");
        }

        if (FinetuneEpochs is < 0)
        {
            return ValidationResult.Error($"--finetune-epochs must be 0 or more (got {FinetuneEpochs}).");
        }

        return FirstError(
            Parsed(() => _ = Architecture is null ? default : LibraryOptions.ParseArchitecture(Architecture)),
            Parsed(() => _ = Regularizer is null ? default : LibraryOptions.ParseRegularizer(Regularizer)),
            Parsed(() => _ = GradientMode is null ? default : LibraryOptions.ParseGradientMode(GradientMode)),
            Parsed(() => _ = LearningRate is null ? null : LibraryOptions.ParseSchedule(LearningRate)),
            Parsed(() => _ = Plan is null ? null : LibraryOptions.ParsePlan(Plan, Skip)),
            Skip is not null && Plan is null ? ValidationResult.Error("--skip needs --plan: the skip list refines a plan.") : ValidationResult.Success());
    }
}
