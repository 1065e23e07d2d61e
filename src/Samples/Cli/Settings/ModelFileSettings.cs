using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of commands that start from a saved model (<c>prune</c>, <c>evaluate</c>, <c>finetune</c>).</summary>
internal class ModelFileSettings : DataSettings
{
    /// <summary>A model saved by <c>train</c> (an ML.NET model zip).</summary>
    [CommandOption("-m|--model <FILE>")]
    [Description("A model saved by 'train' (ML.NET model .zip).")]
    public string? Model { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            return ValidationResult.Error("--model is required: a model .zip written by 'train'.");
        }

        return File.Exists(Model)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--model file '{Model}' does not exist.");
    }
}
