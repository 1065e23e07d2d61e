using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>train</c>.</summary>
internal sealed class TrainCommandSettings : TrainingSettings
{
    /// <summary>Where the trained model is saved; default &lt;output&gt;/model.zip.</summary>
    [CommandOption("--save <FILE>")]
    [Description("Where the trained (and, with --plan, pruned) model is saved; default <output>/model.zip.")]
    public string? Save { get; set; }

    /// <summary>A model saved by <c>train</c> to continue training from (warm start); null starts from random weights.</summary>
    [CommandOption("--init <MODEL>")]
    [Description("Continue training from a model saved by 'train' (warm start, as from the paper's pretrained weights): its dense network, architecture and classes; --architecture defaults to the model's.")]
    public string? Init { get; set; }

    /// <summary>Checkpoint file written after every epoch.</summary>
    [CommandOption("--checkpoint <FILE>")]
    [Description("Checkpoint written after every epoch (weights, optimizer state, epoch); with --resume, training continues from it.")]
    public string? Checkpoint { get; set; }

    /// <summary>Resume from the checkpoint.</summary>
    [CommandOption("--resume")]
    [Description("Continue from --checkpoint when that file exists.")]
    public bool Resume { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        if (Init is not null && (string.IsNullOrWhiteSpace(Init) || !File.Exists(Init)))
        {
            return ValidationResult.Error($"--init '{Init}' does not exist.");
        }

        return Resume && string.IsNullOrWhiteSpace(Checkpoint)
            ? ValidationResult.Error("--resume needs --checkpoint <FILE>: the file to resume from.")
            : ValidationResult.Success();
    }
}
