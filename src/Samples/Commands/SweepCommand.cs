using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>sweep</c>: prune saved models at a list of ratios without fine-tuning; table and Figure 2.</summary>
internal sealed class SweepCommand(IAnsiConsole console) : Command<SweepCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, SweepCommandSettings settings, CancellationToken cancellationToken)
    {
        RunEnvironment.ApplyThreads(settings.Threads);
        var mlContext = new MLContext(seed: settings.Seed);
        var ratios = OptionParsing.ParseRatios(settings.Ratios);
        var models = settings.Models.Select(m => OptionParsing.ParseLabeledPath(m)).Select(m => (m.Label, Model: ModelFiles.Load(mlContext, m.Path))).ToList();
        using var disposeModels = new DisposableList(models.Select(m => m.Model));
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data!), settings);
        var sweeps = ProgressBoards.Run(console, board =>
        {
            var line = board.Start("pruning sweep", models.Count * ratios.Count);
            var result = models.Select(m => PrunedEvaluation.Sweep(m.Label, m.Model, ratios, data.Test, line, cancellationToken, calibrationData: settings.Calibrate ? data.Train : null)).ToList();
            line.Complete(string.Empty);
            return result;
        });

        var table = ResultsTable.Create(sweeps);
        console.Write(table.ToSpectreTable(settings.Calibrate ? "Top-1 accuracy pruned without fine-tuning, BatchNorm recalibrated on 2,000 training images" : "Top-1 accuracy pruned without fine-tuning"));
        var architecture = models[0].Model.Summary.Architecture;
        var figure = OutputFiles.WriteFigure2(settings.Output, sweeps, $"{architecture} on {data.Description.Split(" at ")[0]}", data.ClassNames.Count);
        var markdown = Path.Combine(settings.Output, "sweep.md");
        AtomicFile.WriteText(markdown, table.ToMarkdown());
        console.Profile.Out.Writer.WriteLine(table.ToMarkdown());
        console.Profile.Out.Writer.Flush();
        console.MarkupLine($"Wrote {Markup.Escape(figure)} and {Markup.Escape(markdown)}.");
        return 0;
    }
}
