using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>prune</c>.</summary>
internal sealed class PruneCommandSettings : ModelFileSettings
{
    /// <summary>The plan to prune by.</summary>
    [CommandOption("-p|--plan <PLAN>")]
    [Description("Pruning plan (PruningPlan.Parse text): a ratio ('0.5'), per ResNet stage ('[[0,0.52,0.52,0.52,0]]') or per layer ('[[0:0,1-15:0.65]]'), the paper's sweep of the network ('sweep 0.5': VGG's first conv kept whole) or a FLOPs speedup ('speedup 3'), then optionally 'skip 1.0,2.0', 'round 16', 'rank folded' and 'compensate'.")]
    public string? Plan { get; set; }

    /// <summary>Recalibrate BatchNorm on the training images of --data.</summary>
    [CommandOption("--calibrate")]
    [Description("Re-estimate the pruned network's BatchNorm statistics on 2,000 training images of --data (Prune(plan, calibrationData)); needs --data.")]
    public bool Calibrate { get; set; }

    /// <summary>Where the pruned model is saved.</summary>
    [CommandOption("--save <FILE>")]
    [Description("Where the pruned model is saved; default <output>/pruned.zip.")]
    public string? Save { get; set; }

    /// <inheritdoc/>
    protected override bool DataRequired => false;

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(!string.IsNullOrWhiteSpace(Plan), "--plan is required, e.g. --plan 0.5, --plan \"speedup 3\" or --plan \"[0,0.52,0.52,0.52,0]\"."),
        Require(!Calibrate || Data is not null, "--calibrate needs --data: the training images to re-estimate the BatchNorm statistics on."),
        Parsed(() => OptionParsing.ParsePlan(Plan ?? "0")));
}
