using System.Diagnostics;
using System.Globalization;
using System.Text;
using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Plots;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>
/// Runs a resolved preset: trains once with the electrostatic force (and, with <c>--compare</c>, the plain and L1
/// baselines), then for every plan prunes that one trained model, evaluates it, fine-tunes it with the "ft" recipe and
/// evaluates again; writes experiment.md and the models.
/// </summary>
internal static class ExperimentRunner
{
    /// <summary>Runs the experiment and returns the exit code.</summary>
    public static int Run(IAnsiConsole console, ResolvedExperiment experiment, ExperimentCommandSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        RunEnvironment.ApplyThreads(settings.Threads);
        var preset = experiment.Preset;
        var mlContext = new MLContext(seed: settings.Seed);

        // Image folders are read at the preset's resolution and channel count unless the user says otherwise.
        settings.ImageSize ??= preset.InputShape.Height;
        settings.Grayscale |= preset.InputShape.Channels == 1;
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data!), settings);
        console.MarkupLine($"[bold]Data[/]    {Markup.Escape(data.Description)}");
        console.MarkupLine($"[bold]Machine[/] {Markup.Escape(RunEnvironment.Describe())}");
        if (data.Shape != preset.InputShape || data.ClassNames.Count != preset.ClassCount)
        {
            console.MarkupLine($"[yellow]The data is {data.Shape} with {data.ClassNames.Count} classes; the preset is defined for {preset.InputShape} with {preset.ClassCount}. The network is built for the data, so FLOPs differ from Table 2.[/]");
        }

        var spec = new TrainingSpec(
            Methods.NameOf(experiment.Regularizer),
            preset.Architecture,
            experiment.Training.Epochs,
            experiment.Training.BatchSize,
            LibraryOptions.ParseSchedule(experiment.Training.Schedule),
            experiment.Training.Momentum,
            experiment.Training.WeightDecay,
            experiment.Training.Augment,
            experiment.Regularizer,
            experiment.Alpha,
            experiment.CoulombConstant,
            experiment.GradientMode,
            settings.L1Rate ?? TrainingSpecs.PaperL1Rate,
            LibraryOptions.ParsePlan(experiment.Plans[0].Plan, experiment.Plans[0].Skip),
            FineTuneEpochs: 0,
            settings.Seed,
            LibraryOptions.ParseDevice(settings.Device));
        var specs = settings.Compare
            ? new[] { spec with { Method = Methods.Plain, Regularizer = RegularizerKind.None }, spec with { Method = Methods.L1, Regularizer = RegularizerKind.L1 }, spec }
            : [spec];
        var ratios = OptionParsing.ParseRatios(settings.Ratios);

        var (models, rows, sweeps) = ProgressBoards.Run(console, board =>
        {
            var trained = new List<(TrainingSpec Spec, ElectrostaticCnnTransformer Model)>();
            foreach (var s in specs)
            {
                trained.Add((s, ModelTraining.Fit(mlContext, data.Train, data.Test, s, board, cancellationToken)));
            }

            var main = trained[^1].Model;
            var planRows = new List<PlanRow>();
            foreach (var plan in experiment.Plans)
            {
                var parsed = LibraryOptions.ParsePlan(plan.Plan, plan.Skip);
                var point = PrunedEvaluation.Measure(mlContext, main, parsed, double.NaN, data.Test);
                double? tunedAccuracy = null;
                if (experiment.FineTuning is { } recipe)
                {
                    var line = board.Start($"fine-tune {plan.Plan}", recipe.Epochs);
                    using var tuned = FineTuning.PruneAndFineTune(main, parsed, data.Train, recipe, settings.Seed, spec.Device, line, cancellationToken);
                    tunedAccuracy = PrunedEvaluation.Accuracy(mlContext, tuned, data.Test);
                    line.Complete($"{Units.Percent(point.Accuracy)} -> {Units.Percent(tunedAccuracy.Value)}");
                }

                planRows.Add(new PlanRow(plan, point, tunedAccuracy));
            }

            IReadOnlyList<MethodSweep> curves = [];
            if (settings.Compare)
            {
                var line = board.Start("pruning sweep", trained.Count * ratios.Count);
                curves = [.. trained.Select(t => PrunedEvaluation.Sweep(t.Spec.Method, t.Model, ratios, data.Test, line, cancellationToken))];
                line.Complete(string.Empty);
            }

            return (trained, planRows, curves);
        });
        using var disposeModels = new DisposableList(models.Select(m => m.Model));

        console.Write(PlanTable(experiment, rows, models[^1].Model));
        var denseAccuracy = models[^1].Model.Summary.Training.Last?.ValidationAccuracy ?? double.NaN;
        var markdown = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# {preset.Title}: electrostatic-force training, pruning and fine-tuning")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- Data: {data.Description}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Machine: {RunEnvironment.Describe()}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Training: {spec.Describe()}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Fine-tuning: {experiment.FineTuning?.ToString() ?? "none"}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Dense top-1: {Units.Percent(denseAccuracy)}")
            .AppendLine()
            .Append(PlanMarkdown(rows));

        if (settings.Compare)
        {
            var table = ResultsTable.Create(sweeps);
            console.Write(table.ToSpectreTable("Top-1 accuracy pruned without fine-tuning"));
            OutputFiles.WriteFigure2(settings.Output, sweeps, $"{preset.Title} ({data.TrainCount:N0} training images)", data.ClassNames.Count);
            var norms = models.SelectMany(m => m.Model.GetFilterNorms().Select(p => new LayerFilterNorms(m.Spec.Method, p.Name, p.NormalizedL1Norms))).ToList();
            OutputFiles.WriteFigure3(settings.Output, norms, $"Normalized filter L1 norms ({preset.Title}, first layers)");
            markdown.AppendLine().AppendLine("## Pruned without fine-tuning (Figure 2)").AppendLine().Append(table.ToMarkdown());
        }

        var modelPath = settings.OutputPath($"{preset.Name}.zip");
        ModelFiles.Save(mlContext, models[^1].Model, data.Train.Schema, modelPath);
        clock.Stop();
        markdown.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Wall-clock time: {Units.Duration(clock.Elapsed)}.");
        var reportPath = settings.OutputPath($"{preset.Name}.md");
        AtomicFile.WriteText(reportPath, markdown.ToString());
        console.Profile.Out.Writer.WriteLine(PlanMarkdown(rows));
        console.Profile.Out.Writer.Flush();
        console.MarkupLine($"Saved {Markup.Escape(modelPath)} and {Markup.Escape(reportPath)}; wall-clock {Units.Duration(clock.Elapsed)}.");
        return 0;
    }

    private static Table PlanTable(ResolvedExperiment experiment, IReadOnlyList<PlanRow> rows, ElectrostaticCnnTransformer model)
    {
        var table = new Table().RoundedBorder().Title(Markup.Escape(
            $"{experiment.Preset.Title}: dense top-1 {Units.Percent(model.Summary.Training.Last?.ValidationAccuracy ?? double.NaN)}"));
        table.AddColumn("Plan");
        table.AddColumn(new TableColumn("Params").RightAligned());
        table.AddColumn(new TableColumn("FLOPs").RightAligned());
        table.AddColumn(new TableColumn("Speedup").RightAligned());
        table.AddColumn(new TableColumn("Paper").RightAligned());
        table.AddColumn(new TableColumn("Pruned top-1").RightAligned());
        table.AddColumn(new TableColumn("Fine-tuned top-1").RightAligned());
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Plan.Plan + (row.Plan.Skip is null ? string.Empty : $" skip {row.Plan.Skip}")),
                Units.Parameters(row.Point.Parameters),
                Units.Flops(row.Point.Flops),
                Units.Speedup(row.Point.Speedup),
                row.Plan.PaperSpeedup is { } paper ? Units.Speedup(paper) : "-",
                Units.Percent(row.Point.Accuracy),
                row.FineTuned is { } tuned ? $"[bold]{Units.Percent(tuned)}[/]" : "-");
        }

        return table;
    }

    private static string PlanMarkdown(IReadOnlyList<PlanRow> rows)
    {
        var builder = new StringBuilder();
        builder.AppendLine("| Plan | Params | FLOPs (2xMAC) | Speedup | Paper's speedup | Top-1 pruned | Top-1 fine-tuned |");
        builder.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            builder.AppendLine(CultureInfo.InvariantCulture,
                $"| `{row.Plan.Plan}{(row.Plan.Skip is null ? string.Empty : $" skip {row.Plan.Skip}")}` | {Units.Parameters(row.Point.Parameters)} | {Units.Flops(row.Point.Flops)} | {Units.Speedup(row.Point.Speedup)} | {(row.Plan.PaperSpeedup is { } p ? Units.Speedup(p) : "-")} | {Units.Percent(row.Point.Accuracy)} | {(row.FineTuned is { } t ? Units.Percent(t) : "-")} |");
        }

        return builder.ToString();
    }

    private sealed record PlanRow(PresetPlan Plan, SweepPoint Point, double? FineTuned);
}
