using System.ComponentModel;
using ElectrostaticPruning.Samples.Experiments;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>experiment</c>: a named preset, with overrides for CPU-scale runs.</summary>
internal sealed class ExperimentCommandSettings : TrainingSettings
{
    /// <summary>Preset name.</summary>
    [CommandArgument(0, "[PRESET]")]
    [Description("resnet56-cifar10, vgg19-cifar100, resnet34-imagenet, resnet56-mnist, figure2-fashion or figure2-fashion-small; omit to list them.")]
    public string? Preset { get; set; }

    /// <summary>Print the resolved settings and the plans' FLOPs speedups without training.</summary>
    [CommandOption("--dry-run")]
    [Description("Print the resolved settings and the FLOPs speedup of each plan, then stop (no data needed).")]
    public bool DryRun { get; set; }

    /// <summary>Also train the plain and L1 baselines and sweep every model (Figure 2).</summary>
    [CommandOption("--compare")]
    [Description("Also train the plain and L1-norm baselines and sweep every model pruned without fine-tuning (Figure 2); the Figure 2 studies always do.")]
    public bool Compare { get; set; }

    /// <summary>Also sweep every model with BatchNorm recalibration.</summary>
    [CommandOption("--calibrate")]
    [Description("Sweep every model a second time with each pruned network's BatchNorm statistics re-estimated on 2,000 training images (Prune(plan, calibrationData)); rows named <variant>+recal.")]
    public bool Calibrate { get; set; }

    /// <summary>Ratios of the Figure 2 sweep.</summary>
    [CommandOption("--ratios <LIST>")]
    [Description("Pruning ratios of the sweep: '0,0.1,0.5' or 'start:stop:step'.")]
    [DefaultValue(OptionParsing.DefaultRatios)]
    public string Ratios { get; set; } = OptionParsing.DefaultRatios;

    /// <summary>The methods to train, replacing the preset's.</summary>
    [CommandOption("--methods <LIST>")]
    [Description("The models to train, replacing the preset's: kind[[:rate]] entries, e.g. 'plain,l1:1e-2,slimming:3e-2,electrostatic:1e-11,folded-untargeted:3e-12,folded:1e-11' (ef, ef-folded, ef-targeted are accepted too).")]
    public string? Methods { get; set; }

    /// <summary>Training seeds.</summary>
    [CommandOption("--seeds <LIST>")]
    [Description("Training seeds, comma-separated; each trains every method (after its own pretraining). Default: the preset's count of seeds from --seed (2 for the Figure 2 studies, else 1).")]
    public string? Seeds { get; set; }

    /// <summary>Plain pretraining epochs.</summary>
    [CommandOption("--pretrain-epochs <N>")]
    [Description("Epochs of plain pretraining every method continues from (warm start); 0 = none. Default: the preset's (6 / 4 for the Figure 2 studies, else 0).")]
    public int? PretrainEpochs { get; set; }

    /// <inheritdoc/>
    protected override bool DataRequired => !DryRun && ExperimentPresets.TryFind(Preset) is { DefaultData: null };

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(PretrainEpochs is null or >= 0, $"--pretrain-epochs must be 0 or more (got {PretrainEpochs})."),
        Parsed(() => Preset is null ? null : Check(ResolvedExperiment.Resolve(ExperimentPresets.Find(Preset), this))));

    private static object Check(ResolvedExperiment experiment) =>
        experiment.Seeds.SelectMany(seed => experiment.Methods.Select(m => TrainingSettings.CreateTrainer(new MLContext(), experiment.Options(m, seed)))).ToList();
}
