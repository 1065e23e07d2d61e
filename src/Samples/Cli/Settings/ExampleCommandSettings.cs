using System.ComponentModel;
using ElectrostaticPruning.Samples.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>example</c>: which example program to run, on which data.</summary>
internal sealed class ExampleCommandSettings : SampleSettings
{
    /// <summary>The example's name.</summary>
    [CommandArgument(0, "[NAME]")]
    [Description("image-folder, re-pruning, torchsharp-penalty, onnx, warm-start or checkpoint; omit to list them.")]
    public string? Name { get; set; }

    /// <summary>The Fashion-MNIST IDX folder; default the embedded subset.</summary>
    [CommandOption("-d|--data <PATH>")]
    [Description("A Fashion-MNIST IDX folder (train-/t10k-images-idx3-ubyte.gz and the labels); default the embedded subset data/fashion-mnist.")]
    public string? Data { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(Name is null || ExampleCommand.All.Any(e => e.Name == Name), $"Unknown example '{Name}'; expected one of {string.Join(", ", ExampleCommand.All.Select(e => e.Name))}."));
}
