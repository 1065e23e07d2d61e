using System.ComponentModel;
using ElectrostaticPruning.Samples.Study;
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

    /// <summary>Also train the plain and L1 baselines and sweep all three (Figure 2).</summary>
    [CommandOption("--compare")]
    [Description("Also train the plain and L1-norm baselines and plot all three pruned without fine-tuning (Figure 2).")]
    public bool Compare { get; set; }

    /// <summary>Ratios of the Figure 2 sweep.</summary>
    [CommandOption("--ratios <LIST>")]
    [Description("Pruning ratios of the --compare sweep: '0,0.1,0.5' or 'start:stop:step'.")]
    [DefaultValue(OptionParsing.DefaultRatios)]
    public string Ratios { get; set; } = OptionParsing.DefaultRatios;

    /// <summary>Figure 2 studies: the methods continued from the pretrained network.</summary>
    [CommandOption("--methods <LIST>")]
    [Description("Figure 2 studies (figure2-*): methods continued from the pretrained network, e.g. 'plain,l1:1e-2,slimming:1e-4,ef:1e-11,ef-folded:3e-13'. Default: the preset's.")]
    public string? Methods { get; set; }

    /// <summary>Figure 2 studies: seeds (each pretrains and trains every method).</summary>
    [CommandOption("--seeds <LIST>")]
    [Description("Figure 2 studies: seeds, comma-separated; each seed pretrains once and trains every method from that checkpoint.")]
    [DefaultValue("1,2")]
    public string Seeds { get; set; } = "1,2";

    /// <summary>Figure 2 studies: plain pretraining epochs.</summary>
    [CommandOption("--pretrain-epochs <N>")]
    [Description("Figure 2 studies: epochs of plain pretraining before the methods continue. Default: the preset's.")]
    public int? PretrainEpochs { get; set; }

    /// <inheritdoc/>
    protected override bool DataRequired => !DryRun && Preset is not null && Figure2Presets.Find(Preset) is null;

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        return Parsed(() => OptionParsing.ParseRatios(Ratios));
    }
}
