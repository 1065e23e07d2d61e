using System.Globalization;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>evaluate</c>: ML.NET's multiclass metrics of a saved model on the test split.</summary>
internal sealed class EvaluateCommand(IAnsiConsole console) : Command<EvaluateCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, EvaluateCommandSettings settings, CancellationToken cancellationToken)
    {
        RunEnvironment.ApplyThreads(settings.Threads);
        var mlContext = new MLContext(seed: settings.Seed);
        using var model = ModelFiles.Load(mlContext, settings.Model!);
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data!), settings);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(data.Test));
        var summary = model.Summary;

        var table = new Table().RoundedBorder().HideHeaders().Title(Markup.Escape($"{summary.Architecture} pruned by {summary.PruningPlan} on {data.Description}"));
        table.AddColumn("Metric");
        table.AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("Top-1 accuracy (micro)", Units.Percent(metrics.MicroAccuracy));
        table.AddRow("Macro accuracy", Units.Percent(metrics.MacroAccuracy));
        table.AddRow("Log-loss", metrics.LogLoss.ToString("0.0000", CultureInfo.InvariantCulture));
        table.AddRow("Params", Units.Parameters(summary.Pruned.Parameters));
        table.AddRow("FLOPs", Units.Flops(summary.Pruned.Flops));
        table.AddRow("Speedup vs dense", Units.Speedup(summary.Speedup));
        console.Write(table);
        console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        return 0;
    }
}
