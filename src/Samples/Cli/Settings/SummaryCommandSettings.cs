using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>summary</c>: a saved model, or an architecture built fresh, optionally pruned by a plan.</summary>
internal sealed class SummaryCommandSettings : SampleSettings
{
    /// <summary>A saved model.</summary>
    [CommandOption("-m|--model <FILE>")]
    [Description("A model saved by 'train'; or give --architecture to describe a freshly built network.")]
    public string? Model { get; set; }

    /// <summary>Architecture to build when no model is given.</summary>
    [CommandOption("-a|--architecture <NAME>")]
    [Description("Network to build: SmallCnn, ResNet20/32/44/56/110, Vgg11/13/16/19, ResNet18/34/50.")]
    public string? Architecture { get; set; }

    /// <summary>Input shape C x H x W.</summary>
    [CommandOption("--input <SHAPE>")]
    [Description("Input shape as CxHxW, e.g. 3x32x32; default 1x28x28 for SmallCnn, 3x32x32 for CIFAR networks, 3x224x224 for ImageNet ResNets.")]
    public string? Input { get; set; }

    /// <summary>Number of classes.</summary>
    [CommandOption("--classes <K>")]
    [Description("Number of classes; default 10 (1000 for ImageNet ResNets).")]
    public int? Classes { get; set; }

    /// <summary>Plan to prune by.</summary>
    [CommandOption("-p|--plan <PLAN>")]
    [Description("Also show the network pruned by this plan (PruningPlan.Parse text, skip lists included): kept filters per layer, params, FLOPs, speedup.")]
    public string? Plan { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var hasModel = !string.IsNullOrWhiteSpace(Model);
        return FirstError(
            base.Validate(),
            Require(hasModel != !string.IsNullOrWhiteSpace(Architecture), "Give either --model <FILE> or --architecture <NAME> (exactly one)."),
            Require(!hasModel || File.Exists(Model), $"--model file '{Model}' does not exist."),
            Require(!hasModel || (Input is null && Classes is null), "--input and --classes only apply with --architecture; a saved model knows its own."),
            Require(Classes is null or >= 2, $"--classes must be at least 2 (got {Classes})."),
            Parsed(() => Input is null ? null : OptionParsing.ParseShape(Input)),
            Parsed(() => Architecture is null ? null : OptionParsing.ParseArchitecture(Architecture)),
            Parsed(() => Plan is null ? null : OptionParsing.ParsePlan(Plan)));
    }
}
