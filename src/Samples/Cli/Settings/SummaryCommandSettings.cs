using System.ComponentModel;
using System.Globalization;
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
    [Description("Also show the network pruned by this plan: kept filters per layer, params, FLOPs, speedup.")]
    public string? Plan { get; set; }

    /// <summary>Blocks never pruned.</summary>
    [CommandOption("--skip <LIST>")]
    [Description("ResNet blocks never pruned, as stage.block prefixes.")]
    public string? Skip { get; set; }

    /// <summary>Parses <c>CxHxW</c>.</summary>
    /// <exception cref="FormatException">Not three positive integers separated by 'x'.</exception>
    public static (int Channels, int Height, int Width) ParseShape(string text)
    {
        var parts = text.Split('x', 'X', '*');
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var c)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            && c > 0 && h > 0 && w > 0)
        {
            return (c, h, w);
        }

        throw new FormatException($"--input '{text}' must be CxHxW with positive integers, e.g. 3x32x32.");
    }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        var hasModel = !string.IsNullOrWhiteSpace(Model);
        var hasArchitecture = !string.IsNullOrWhiteSpace(Architecture);
        if (hasModel == hasArchitecture)
        {
            return ValidationResult.Error("Give either --model <FILE> or --architecture <NAME> (exactly one).");
        }

        if (hasModel && !File.Exists(Model))
        {
            return ValidationResult.Error($"--model file '{Model}' does not exist.");
        }

        if (hasModel && (Input is not null || Classes is not null))
        {
            return ValidationResult.Error("--input and --classes only apply with --architecture; a saved model knows its own.");
        }

        if (Classes is < 2)
        {
            return ValidationResult.Error($"--classes must be at least 2 (got {Classes}).");
        }

        return FirstError(
            Parsed(() => _ = Input is null ? default : ParseShape(Input)),
            Parsed(() => _ = Architecture is null ? default : LibraryOptions.ParseArchitecture(Architecture)),
            Parsed(() => _ = Plan is null ? null : LibraryOptions.ParsePlan(Plan, Skip)));
    }
}
