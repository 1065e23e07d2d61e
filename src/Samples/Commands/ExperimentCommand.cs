using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>experiment</c>: one of the paper's experiments (Table 1's settings, Table 2's plans) or a Figure 2 protocol study.</summary>
internal sealed class ExperimentCommand(IAnsiConsole console) : Command<ExperimentCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, ExperimentCommandSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Preset is null)
        {
            console.Write(ExperimentView.List());
            console.MarkupLine("Run one with [bold]experiment <PRESET> --data <folder>[/]; add [bold]--dry-run[/] to see its settings and speedups first.");
            return 0;
        }

        var experiment = ResolvedExperiment.Resolve(ExperimentPresets.Find(settings.Preset), settings);
        console.Write(ExperimentView.Settings(experiment));
        if (experiment.Plans.Count > 0)
        {
            console.Write(ExperimentView.Plans(experiment));
        }

        return settings.DryRun ? 0 : ExperimentRunner.Run(console, experiment, settings, cancellationToken);
    }
}
