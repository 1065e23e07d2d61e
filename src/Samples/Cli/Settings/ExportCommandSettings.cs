using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>export</c>.</summary>
internal sealed class ExportCommandSettings : ModelFileSettings
{
    /// <summary>Where the ONNX model is written.</summary>
    [CommandOption("--onnx <FILE>")]
    [Description("Where the ONNX model is written (atomically).")]
    public string? Onnx { get; set; }

    /// <summary>Where the PyTorch safetensors file is written.</summary>
    [CommandOption("--pytorch <FILE>")]
    [Description("Where the trainable pruned network is written for PyTorch (SavePyTorch: .safetensors under the reference's names, with metadata; tools/electrostatic_pruning_torch.py loads it).")]
    public string? PyTorch { get; set; }

    /// <summary>The ONNX opset to declare.</summary>
    [CommandOption("--opset <N>")]
    [Description("ONNX opset to declare, 13 to 21.")]
    [DefaultValue(13)]
    public int Opset { get; set; } = 13;

    /// <inheritdoc/>
    protected override bool DataRequired => false;

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(!string.IsNullOrWhiteSpace(Onnx) || !string.IsNullOrWhiteSpace(PyTorch), "--onnx or --pytorch is required: the .onnx file to write (e.g. --onnx out/model.onnx) or the .safetensors file for PyTorch."),
        Require(Opset is >= 13 and <= 21, $"--opset must be between 13 and 21 (got {Opset})."));
}
