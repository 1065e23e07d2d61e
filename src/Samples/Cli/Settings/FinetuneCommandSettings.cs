using System.ComponentModel;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>
/// Options of <c>finetune</c>, each one of <see cref="ElectrostaticCnnTransformer.FineTuneOptions"/>; left out, they keep the
/// library's defaults (Table 1's "ft" stage: SGD(0.9, 5e-4), P2, batch 128, for 2 epochs).
/// </summary>
internal sealed class FinetuneCommandSettings : ModelFileSettings
{
    /// <summary>Plan to prune by before fine-tuning; none keeps the model's own.</summary>
    [CommandOption("-p|--plan <PLAN>")]
    [Description("Prune the model's dense network by this plan first (PruningPlan.Parse text, e.g. '0.6' or '[[0,0.5,0.5,0.5,0,0]] skip 1.0,2.0'); default: the model's own plan.")]
    public string? Plan { get; set; }

    /// <summary>FineTuneOptions.Epochs.</summary>
    [CommandOption("-e|--epochs <N>")]
    [Description("Fine-tuning epochs (Epochs); default 2 (the paper: 120 on CIFAR, 80 on ImageNet).")]
    public int? Epochs { get; set; }

    /// <summary>FineTuneOptions.BatchSize.</summary>
    [CommandOption("-b|--batch-size <N>")]
    [Description("Images per SGD step (BatchSize); default 128.")]
    public int? BatchSize { get; set; }

    /// <summary>FineTuneOptions.LearningRateSchedule.</summary>
    [CommandOption("--lr <SCHEDULE>")]
    [Description("Learning-rate schedule (LearningRateSchedule): default P2 (0:1e-2,60:1e-3,90:1e-4); P1 or 'epoch:rate,...'.")]
    public string? LearningRate { get; set; }

    /// <summary>FineTuneOptions.Momentum.</summary>
    [CommandOption("--momentum <M>")]
    [Description("SGD momentum (Momentum), in [[0, 1); default 0.9.")]
    public double? Momentum { get; set; }

    /// <summary>FineTuneOptions.WeightDecay.</summary>
    [CommandOption("--weight-decay <WD>")]
    [Description("SGD weight decay (WeightDecay), 0 or more; default 5e-4.")]
    public double? WeightDecay { get; set; }

    /// <summary>FineTuneOptions.Augment.</summary>
    [CommandOption("--augment")]
    [Description("CIFAR-style augmentation (Augment): 4-pixel padding, random crop, horizontal flip.")]
    public bool Augment { get; set; }

    /// <summary>Where the fine-tuned model is saved.</summary>
    [CommandOption("--save <FILE>")]
    [Description("Where the fine-tuned model is saved; default <output>/finetuned.zip.")]
    public string? Save { get; set; }

    /// <summary>The fine-tuning options: the library's defaults with every flag given applied, and the seed and device.</summary>
    /// <exception cref="FormatException">A flag's text cannot be parsed.</exception>
    public ElectrostaticCnnTransformer.FineTuneOptions ToOptions()
    {
        var options = new ElectrostaticCnnTransformer.FineTuneOptions { Augment = Augment, Seed = Seed, Device = OptionParsing.ParseDevice(Device) };
        options.Epochs = Epochs ?? options.Epochs;
        options.BatchSize = BatchSize ?? options.BatchSize;
        options.LearningRateSchedule = LearningRate is null ? options.LearningRateSchedule : OptionParsing.ParseSchedule(LearningRate);
        options.Momentum = Momentum ?? options.Momentum;
        options.WeightDecay = WeightDecay ?? options.WeightDecay;
        return options;
    }

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Parsed(ToOptions),
        Parsed(() => Plan is null ? null : OptionParsing.ParsePlan(Plan)));
}
