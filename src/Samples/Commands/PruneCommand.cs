using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>prune</c>: re-prune a trained model's dense network by another plan (<c>model.Prune(plan)</c>), without retraining.</summary>
internal sealed class PruneCommand(IAnsiConsole console) : Command<PruneCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, PruneCommandSettings settings, CancellationToken cancellationToken)
    {
        RunEnvironment.ApplyThreads(settings.Threads);
        var mlContext = new MLContext(seed: settings.Seed);
        var (trained, schema) = ModelFiles.LoadWithSchema(mlContext, settings.Model!);
        using var disposeTrained = trained;
        var plan = OptionParsing.ParsePlan(settings.Plan!);
        var data = settings.Data is null ? null : DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data), settings);
        using var pruned = settings.Calibrate ? trained.Prune(plan, data!.Train) : trained.Prune(plan);
        var summary = pruned.Summary;
        console.Write(SummaryCommand.LayerTable(summary));
        console.Write(NetworkSummaryView.Complexity(summary.Dense, summary.Pruned));

        var save = settings.Save ?? settings.OutputPath("pruned.zip");
        if (data is not null)
        {
            using var unpruned = trained.Prune(PruningPlan.Uniform(0));
            console.MarkupLine($"Test top-1 on {Markup.Escape(data.Description)}: dense {Units.Percent(PrunedEvaluation.Accuracy(mlContext, unpruned, data.Test))}, " +
                $"pruned [bold]{Units.Percent(PrunedEvaluation.Accuracy(mlContext, pruned, data.Test))}[/] (no fine-tuning{(settings.Calibrate ? ", BatchNorm recalibrated on 2,000 training images" : string.Empty)}).");
        }

        ModelFiles.Save(mlContext, pruned, schema, save);
        console.MarkupLine($"Saved {Markup.Escape(save)}.");
        return 0;
    }
}
