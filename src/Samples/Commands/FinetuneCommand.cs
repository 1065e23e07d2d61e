using System.Diagnostics;
using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>finetune</c>: prune a trained model (by its own plan or --plan) and fine-tune it with Table 1's "ft" settings.</summary>
internal sealed class FinetuneCommand(IAnsiConsole console) : Command<FinetuneCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, FinetuneCommandSettings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        RunEnvironment.ApplyThreads(settings.Threads);
        var mlContext = new MLContext(seed: settings.Seed);
        using var trained = ModelFiles.Load(mlContext, settings.Model!);
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data!), settings);
        var plan = settings.Plan is null ? trained.PruningPlan : OptionParsing.ParsePlan(settings.Plan);
        var options = settings.ToOptions();
        console.MarkupLine($"[bold]Data[/]        {Markup.Escape(data.Description)}");
        console.MarkupLine(Markup.Escape(FormattableString.Invariant(
            $"Fine-tuning plan {plan}, SGD({options.Momentum}, {options.WeightDecay}), lr {options.LearningRateSchedule}, {options.Epochs} epochs, batch {options.BatchSize}{(options.Augment ? ", augmented" : string.Empty)}")));

        var (tuned, before, after) = ProgressBoards.Run(console, board =>
        {
            var line = board.Start("fine-tune", options.Epochs);
            using var pruned = trained.Prune(plan);
            var accuracyBefore = PrunedEvaluation.Accuracy(mlContext, pruned, data.Test);
            var fineTuned = FineTuning.FineTune(pruned, data.Train, options, line, cancellationToken);
            var accuracyAfter = PrunedEvaluation.Accuracy(mlContext, fineTuned, data.Test);
            line.Complete($"{Units.Percent(accuracyBefore)} -> {Units.Percent(accuracyAfter)}");
            return (fineTuned, accuracyBefore, accuracyAfter);
        });

        using var disposeTuned = tuned;
        var save = settings.Save ?? settings.OutputPath("finetuned.zip");
        ModelFiles.Save(mlContext, tuned, data.Train.Schema, save);
        var summary = tuned.Summary;
        console.MarkupLine($"Test top-1 pruned {Units.Percent(before)} -> fine-tuned [bold]{Units.Percent(after)}[/] at {Units.Speedup(summary.Speedup)} fewer FLOPs.");
        console.MarkupLine($"Saved {Markup.Escape(save)} in {Units.Duration(clock.Elapsed)}.");
        return 0;
    }
}
