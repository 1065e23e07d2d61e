using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of commands that start from a saved model (<c>prune</c>, <c>evaluate</c>, <c>finetune</c>, <c>export</c>).</summary>
internal class ModelFileSettings : DataSettings
{
    /// <summary>A model saved by <c>train</c> (an ML.NET model zip).</summary>
    [CommandOption("-m|--model <FILE>")]
    [Description("A model saved by 'train' (ML.NET model .zip).")]
    public string? Model { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(!string.IsNullOrWhiteSpace(Model), "--model is required: a model .zip written by 'train'."),
        Require(string.IsNullOrWhiteSpace(Model) || File.Exists(Model), $"--model file '{Model}' does not exist."));
}
