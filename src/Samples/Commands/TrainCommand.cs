using System.Diagnostics;
using ElectrostaticPruning.Samples.Cli;
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
/// <c>train</c>: one model through the ML.NET trainer with the options the flags give (the library's defaults
/// otherwise), pruned by its plan, optionally fine-tuned, then saved. With <c>--init MODEL</c> training continues from
/// that model's dense network (warm start), with <c>--init-weights FILE</c> from PyTorch weights; with <c>--checkpoint FILE</c> it writes a checkpoint after every epoch and
/// continues from one that exists.
/// </summary>
internal sealed class TrainCommand(IAnsiConsole console) : Command<TrainCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, TrainCommandSettings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        RunEnvironment.ApplyThreads(settings.Threads);
        var mlContext = new MLContext(seed: settings.Seed);
        using var fromModel = settings.Init is null ? null : ModelFiles.Load(mlContext, settings.Init, "--init");
        var options = settings.ToOptions(fromModel?.Summary.Architecture);
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data!), settings);
        using var fromWeights = settings.InitWeights is null ? null : FlagErrors.Named(
            () => mlContext.Model.LoadPyTorchWeights(settings.InitWeights, options.Architecture, data.Shape, options.InputNormalization),
            new Dictionary<string, string> { ["path"] = "--init-weights", ["architecture"] = "--architecture" });
        var initial = fromModel ?? fromWeights;
        if (fromWeights is not null)
        {
            // The weights' model carries the normalization now; the warm start keeps it.
            options.InputNormalization = null;
        }

        console.MarkupLine($"[bold]Data[/]        {Markup.Escape(data.Description)}");
        console.MarkupLine($"[bold]Training[/]    {Markup.Escape(OptionsText.Training(options))}");
        console.MarkupLine($"[bold]Regularizer[/] {Markup.Escape(OptionsText.Regularizer(options.Regularizer))}");
        if (initial is not null)
        {
            console.MarkupLine($"[bold]Init[/]        {Markup.Escape(fromModel is not null ? $"{settings.Init}: {initial.Summary.Architecture}, trained {initial.Summary.Training.Count} epochs" : $"{settings.InitWeights}: {initial.Summary.TrainingOptions}")}");
        }

        if (options.CheckpointPath is { } checkpoint)
        {
            console.MarkupLine($"[bold]Checkpoint[/]  {Markup.Escape(File.Exists(checkpoint) ? $"{checkpoint} exists: training continues after its last epoch" : $"{checkpoint}, written after every epoch")}");
        }

        using var model = ProgressBoards.Run(console, board => FitFrom(initial, settings.Init ?? settings.InitWeights, mlContext, data, options, board, cancellationToken));
        var save = settings.Save ?? settings.OutputPath("model.zip");
        ModelFiles.Save(mlContext, model, data.Train.Schema, save);

        var summary = model.Summary;
        console.MarkupLine($"[bold]Options[/]     {Markup.Escape(summary.TrainingOptions)}");
        console.MarkupLine($"Test top-1: dense {Units.Percent(summary.Training.Last?.ValidationAccuracy ?? double.NaN)}, " +
            $"pruned by {Markup.Escape(summary.PruningPlan.ToString())}{(summary.FineTuning.Count > 0 ? " and fine-tuned" : string.Empty)} " +
            $"[bold]{Units.Percent(PrunedEvaluation.Accuracy(mlContext, model, data.Test))}[/] at {Units.Speedup(summary.Speedup)} fewer FLOPs " +
            $"({Units.Parameters(summary.Pruned.Parameters)} params, {Units.Flops(summary.Pruned.Flops)}).");
        console.MarkupLine($"Saved {Markup.Escape(save)} in {Units.Duration(clock.Elapsed)}.");
        return 0;
    }

    /// <summary>Trains from scratch, or from <paramref name="initial"/>; a model that does not fit the data is reported as an --init error.</summary>
    private static ElectrostaticCnnTransformer FitFrom(
        ElectrostaticCnnTransformer? initial, string? path, MLContext mlContext, LoadedData data, ElectrostaticCnnTrainer.Options options, IProgressBoard board, CancellationToken cancellationToken)
    {
        try
        {
            return ModelTraining.Fit(mlContext, data.Train, data.Test, Regularizers.Label(options.Regularizer), options, board, cancellationToken, initial);
        }
        catch (ArgumentException e) when (initial is not null && e.ParamName == "initialModel")
        {
            string flag = initial.Summary.Training.Count == 0 ? "--init-weights" : "--init";
            throw new ArgumentException($"{flag} '{path}' does not fit the data: {ErrorReporter.OneLine(e)}", flag, e);
        }
    }
}
