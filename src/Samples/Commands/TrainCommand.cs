using System.Diagnostics;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>train</c>: one model through the ML.NET trainer, pruned by its plan, optionally fine-tuned, then saved.</summary>
internal sealed class TrainCommand(IAnsiConsole console) : Command<TrainCommandSettings>
{
    /// <summary>Epochs when --epochs is not given.</summary>
    public const int DefaultEpochs = 10;

    /// <inheritdoc/>
    public override int Execute(CommandContext context, TrainCommandSettings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        RunEnvironment.ApplyThreads(settings.Threads);
        var mlContext = new MLContext(seed: settings.Seed);
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data!), settings);
        var epochs = settings.Epochs ?? DefaultEpochs;
        var defaults = TrainingSpecs.Defaults(CnnArchitecture.SmallCnn, data.Shape, data.ClassNames.Count, epochs, CompareJob.DefaultAlpha) with
        {
            Schedule = TrainingSpecs.ShortRunSchedule(epochs),
        };
        var spec = TrainingSpecs.Resolve(settings, defaults, data.Shape, data.ClassNames.Count);
        console.MarkupLine($"[bold]Data[/]     {Markup.Escape(data.Description)}");
        console.MarkupLine($"[bold]Training[/] {Markup.Escape(spec.Describe())}");

        using var model = ProgressBoards.Run(console, board => ModelTraining.Fit(mlContext, data.Train, data.Test, spec, board, cancellationToken));
        var save = settings.Save ?? settings.OutputPath("model.zip");
        ModelFiles.Save(mlContext, model, data.Train.Schema, save);

        var summary = model.Summary;
        console.MarkupLine($"Test top-1: dense {Units.Percent(summary.Training.Last?.ValidationAccuracy ?? double.NaN)}, " +
            $"pruned by {Markup.Escape(summary.PruningPlan.ToString())}{(summary.FineTuning.Count > 0 ? " and fine-tuned" : string.Empty)} " +
            $"[bold]{Units.Percent(PrunedEvaluation.Accuracy(mlContext, model, data.Test))}[/] at {Units.Speedup(summary.Speedup)} fewer FLOPs " +
            $"({Units.Parameters(summary.Pruned.Parameters)} params, {Units.Flops(summary.Pruned.Flops)}).");
        console.MarkupLine($"Saved {Markup.Escape(save)} in {Units.Duration(clock.Elapsed)}.");
        return 0;
    }
}
