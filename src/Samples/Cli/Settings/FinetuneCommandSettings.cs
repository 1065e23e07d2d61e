using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>finetune</c>: Table 1's "ft" settings, SGD(0.9, 5e-4) with P2, by default.</summary>
internal sealed class FinetuneCommandSettings : ModelFileSettings
{
    /// <summary>Plan to prune by before fine-tuning; none keeps the model's own.</summary>
    [CommandOption("-p|--plan <PLAN>")]
    [Description("Prune the model's dense network by this plan first; default: fine-tune the model as saved.")]
    public string? Plan { get; set; }

    /// <summary>Blocks never pruned.</summary>
    [CommandOption("--skip <LIST>")]
    [Description("ResNet blocks never pruned, as stage.block prefixes.")]
    public string? Skip { get; set; }

    /// <summary>Fine-tuning epochs.</summary>
    [CommandOption("-e|--epochs <N>")]
    [Description("Fine-tuning epochs (the paper: 120 on CIFAR, 80 on ImageNet).")]
    [DefaultValue(120)]
    public int Epochs { get; set; } = 120;

    /// <summary>Mini-batch size.</summary>
    [CommandOption("-b|--batch-size <N>")]
    [Description("Mini-batch size.")]
    [DefaultValue(128)]
    public int BatchSize { get; set; } = 128;

    /// <summary>Learning-rate schedule.</summary>
    [CommandOption("--lr <SCHEDULE>")]
    [Description("Learning-rate schedule: P2 (0:1e-2,60:1e-3,90:1e-4), P1 or 'epoch:rate,...'.")]
    [DefaultValue("P2")]
    public string LearningRate { get; set; } = "P2";

    /// <summary>SGD momentum.</summary>
    [CommandOption("--momentum <M>")]
    [Description("SGD momentum, in [[0, 1).")]
    [DefaultValue(0.9)]
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD weight decay.</summary>
    [CommandOption("--weight-decay <WD>")]
    [Description("SGD weight decay, 0 or more.")]
    [DefaultValue(5e-4)]
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>CIFAR-style augmentation.</summary>
    [CommandOption("--augment")]
    [Description("CIFAR-style augmentation: 4-pixel padding, random crop, horizontal flip.")]
    public bool Augment { get; set; }

    /// <summary>Where the fine-tuned model is saved.</summary>
    [CommandOption("--save <FILE>")]
    [Description("Where the fine-tuned model is saved; default <output>/finetuned.zip.")]
    public string? Save { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        if (Epochs < 1)
        {
            return ValidationResult.Error($"--epochs must be at least 1 (got {Epochs}).");
        }

        if (BatchSize < 1)
        {
            return ValidationResult.Error($"--batch-size must be at least 1 (got {BatchSize}).");
        }

        if (Momentum < 0 || Momentum >= 1 || double.IsNaN(Momentum))
        {
            return ValidationResult.Error($"--momentum must be in [0, 1) (got {Momentum}).");
        }

        if (WeightDecay < 0 || !double.IsFinite(WeightDecay))
        {
            return ValidationResult.Error($"--weight-decay must be 0 or more (got {WeightDecay}).");
        }

        return FirstError(
            Parsed(() => LibraryOptions.ParseSchedule(LearningRate)),
            Parsed(() => _ = Plan is null ? null : LibraryOptions.ParsePlan(Plan, Skip)));
    }
}
