using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Experiments;
using ElectrostaticPruning.Samples.Study;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>experiment</c>: one of the paper's experiments with Table 1's settings and Table 2's plans.</summary>
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

        if (Figure2Presets.Find(settings.Preset) is { } study)
        {
            return settings.DryRun ? 0 : Figure2Study.Run(console, study, settings, cancellationToken);
        }

        var experiment = ExperimentResolver.Resolve(ExperimentPresets.Find(settings.Preset), settings);
        console.Write(ExperimentView.Settings(experiment));
        console.Write(ExperimentView.Plans(experiment));
        if (settings.DryRun)
        {
            return 0;
        }

        return ExperimentRunner.Run(console, experiment, settings, cancellationToken);
    }
}
