using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>prune</c>.</summary>
internal sealed class PruneCommandSettings : ModelFileSettings
{
    /// <summary>The plan to prune by.</summary>
    [CommandOption("-p|--plan <PLAN>")]
    [Description("Pruning plan: one ratio ('0.5'), per ResNet stage ('[[0,0.52,0.52,0.52,0]]') or per layer range ('[[0:0,1-15:0.65]]'); append 'round 16' to keep multiples of 16 filters (faster on CPUs, smaller FLOPs speedup).")]
    public string? Plan { get; set; }

    /// <summary>Blocks never pruned.</summary>
    [CommandOption("--skip <LIST>")]
    [Description("ResNet blocks never pruned, as stage.block prefixes, e.g. '1.0,2.0,2.3,3.0,3.5'.")]
    public string? Skip { get; set; }

    /// <summary>Where the pruned model is saved.</summary>
    [CommandOption("--save <FILE>")]
    [Description("Where the pruned model is saved; default <output>/pruned.zip.")]
    public string? Save { get; set; }

    /// <inheritdoc/>
    protected override bool DataRequired => false;

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        return string.IsNullOrWhiteSpace(Plan)
            ? ValidationResult.Error("--plan is required, e.g. --plan 0.5 or --plan \"[0,0.52,0.52,0.52,0]\".")
            : Parsed(() => LibraryOptions.ParsePlan(Plan, Skip));
    }
}
