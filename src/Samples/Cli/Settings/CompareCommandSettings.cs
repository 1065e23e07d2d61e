using System.ComponentModel;
using ElectrostaticPruning.Samples.Jobs;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>
/// Options of the default job: train plain, L1-norm, the paper's electrostatic force and the library's default (folded
/// force) models, prune each at a sweep of ratios without fine-tuning, then optionally fine-tune them at a target speedup.
/// </summary>
internal sealed class CompareCommandSettings : TrainingSettings
{
    /// <summary>Ratios of the sweep.</summary>
    [CommandOption("--ratios <LIST>")]
    [Description("Pruning ratios: '0,0.1,0.5' or 'start:stop:step' (stop included).")]
    [DefaultValue(OptionParsing.DefaultRatios)]
    public string Ratios { get; set; } = OptionParsing.DefaultRatios;

    /// <summary>Target speedup of the fine-tuning stage (0 = no fine-tuning stage).</summary>
    [CommandOption("--finetune-speedup <X>")]
    [Description("After the sweep, prune each model at the smallest swept ratio reaching this FLOPs speedup and fine-tune it for --finetune-epochs (default 2) with SGD(0.9, 5e-4); 0 = skip.")]
    [DefaultValue(0.0)]
    public double FinetuneSpeedup { get; set; }

    /// <inheritdoc/>
    protected override bool DataRequired => false;

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Parsed(() => OptionParsing.ParseRatios(Ratios)),
        Require(Regularizer is null, "--regularizer does not apply here: this job trains plain, L1-norm, electrostatic force and folded force; use 'train' for one."),
        Require(FinetuneSpeedup == 0 || (FinetuneSpeedup >= 1 && double.IsFinite(FinetuneSpeedup)), $"--finetune-speedup must be 0 (off) or at least 1 (got {FinetuneSpeedup})."),
        Parsed(() => CompareJob.Models(this).Select(m => CreateTrainer(new MLContext(), m.Options)).ToList()));
}
