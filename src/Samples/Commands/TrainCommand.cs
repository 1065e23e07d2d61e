using System.Diagnostics;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary>
/// <c>train</c>: one model through the ML.NET trainer, pruned by its plan, optionally fine-tuned, then saved. With
/// <c>--init MODEL</c> training continues from that model's dense network (warm start).
/// </summary>
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
        using var initial = settings.Init is null ? null : ModelFiles.Load(mlContext, settings.Init, "--init");
        var initialArchitecture = initial?.Summary.Architecture;
        var epochs = settings.Epochs ?? DefaultEpochs;
        var defaults = TrainingSpecs.Defaults(initialArchitecture ?? CnnArchitecture.SmallCnn, data.Shape, data.ClassNames.Count, epochs, CompareJob.DefaultAlpha) with
        {
            Schedule = TrainingSpecs.ShortRunSchedule(epochs),
        };
        var spec = TrainingSpecs.Resolve(settings, defaults, data.Shape, data.ClassNames.Count);
        if (initialArchitecture is { } architecture && spec.Architecture != architecture)
        {
            throw new ArgumentException(
                $"--init '{settings.Init}' is a {architecture} model but --architecture is {spec.Architecture}; leave --architecture out or give {architecture}.", nameof(settings.Architecture));
        }

        console.MarkupLine($"[bold]Data[/]     {Markup.Escape(data.Description)}");
        console.MarkupLine($"[bold]Training[/] {Markup.Escape(spec.Describe())}");
        if (initial is not null)
        {
            console.MarkupLine($"[bold]Init[/]     {Markup.Escape($"{settings.Init}: {initial.Summary.Architecture}, trained {initial.Summary.Training.Count} epochs")}");
        }

        using var model = ProgressBoards.Run(console, board => FitFrom(initial, settings.Init, mlContext, data, spec, board, cancellationToken));
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

    /// <summary>Trains from scratch, or from <paramref name="initial"/>; a model that does not fit the data is reported as an --init error.</summary>
    private static ElectrostaticCnnTransformer FitFrom(
        ElectrostaticCnnTransformer? initial, string? path, MLContext mlContext, LoadedData data, TrainingSpec spec, IProgressBoard board, CancellationToken cancellationToken)
    {
        try
        {
            return ModelTraining.Fit(mlContext, data.Train, data.Test, spec, board, cancellationToken, initial);
        }
        catch (ArgumentException e) when (initial is not null && e.ParamName == "initialModel")
        {
            var message = e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new ArgumentException($"--init '{path}' does not fit the data: {message}", "init", e);
        }
    }
}
