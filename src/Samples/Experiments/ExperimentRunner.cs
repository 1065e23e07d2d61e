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
/// Runs a resolved preset through the public API: for each seed, the plain pretraining (when the preset has one), then
/// every method (warm-started from it), each swept without fine-tuning by every pruning variant when the run sweeps; the
/// last method's model of the first seed is pruned by every Table 2 plan, evaluated, fine-tuned and evaluated again.
/// Prints and writes the tables (sweeps as the mean over seeds ± half the spread, with the accuracy drops at 2x, 3.7x and
/// 5.3x), Figure 2, Figure 3 (raw and folded norms), &lt;preset&gt;.md and &lt;preset&gt;.zip.
/// </summary>
internal static class ExperimentRunner
{
    /// <summary>Figure 3 with the raw filter norms (what the paper plots).</summary>
    public const string RawNormsFigure = "figure3-raw-filter-norms.png";

    /// <summary>Figure 3 with the BatchNorm-folded filter norms (what the network uses).</summary>
    public const string FoldedNormsFigure = "figure3-folded-filter-norms.png";

    /// <summary>Runs the experiment and returns the exit code.</summary>
    public static int Run(IAnsiConsole console, ResolvedExperiment experiment, ExperimentCommandSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        RunEnvironment.ApplyThreads(settings.Threads);
        var preset = experiment.Preset;

        // Image folders are read at the preset's resolution and channel count, and the preset's subsample is used, unless the user says otherwise.
        settings.ImageSize ??= preset.InputShape.Height;
        settings.Grayscale |= preset.InputShape.Channels == 1;
        settings.TrainLimit = settings.TrainLimit == 0 ? preset.TrainLimit ?? 0 : settings.TrainLimit;
        settings.TestLimit = settings.TestLimit == 0 ? preset.TestLimit ?? 0 : settings.TestLimit;
        var dataPath = settings.Data ?? Path.Combine(RepositoryLocator.FindRepositoryRoot() ?? string.Empty, preset.DefaultData!);
        var mlContext = new MLContext(seed: settings.Seed);
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(dataPath), settings);
        console.MarkupLine($"[bold]Data[/]    {Markup.Escape(data.Description)}");
        console.MarkupLine($"[bold]Machine[/] {Markup.Escape(RunEnvironment.Describe())}");
        if (data.Shape != preset.InputShape || data.ClassNames.Count != preset.ClassCount)
        {
            console.MarkupLine($"[yellow]The data is {data.Shape} with {data.ClassNames.Count} classes; the preset is defined for {preset.InputShape} with {preset.ClassCount}. The network is built for the data, so FLOPs differ from Table 2.[/]");
        }

        var outcome = ProgressBoards.Run(console, board => Execute(mlContext, data, experiment, board, cancellationToken));
        using var main = outcome.Main;
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# {preset.Title}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- {preset.Notes}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Data: {data.Description}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Machine: {RunEnvironment.Describe()}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Training: {experiment.Training}, plan {experiment.TrainingPlan}{(experiment.AnyRatio is null ? string.Empty : $", {experiment.AnyRatio} for the folded-force methods")}{(experiment.PretrainEpochs > 0 ? $", continued from {experiment.PretrainEpochs} epochs of plain pretraining" : string.Empty)}; seeds {string.Join(",", experiment.Seeds)}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Methods: {string.Join("; ", experiment.Methods.Select(OptionsText.Regularizer))}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Fine-tuning: {experiment.FineTuning?.ToString() ?? "none"}")
            .AppendLine(CultureInfo.InvariantCulture, $"- Options of the model pruned by the plans ({Regularizers.LabelWithRate(experiment.Methods[^1])}): {main.Summary.TrainingOptions}");
        if (outcome.Plans.Count > 0)
        {
            console.Write(PlanTable(preset, outcome.Plans, main));
            report.AppendLine().AppendLine("## Pruned by the plans, then fine-tuned (Table 2)").AppendLine().Append(PlanMarkdown(outcome.Plans));
        }

        if (outcome.Sweeps.Count > 0)
        {
            var rows = Summarize(outcome.Sweeps);
            var goals = Goals(rows);
            console.Write(SweepTable(rows, experiment.Seeds.Count));
            foreach (var goal in goals)
            {
                console.MarkupLine(Markup.Escape(goal));
            }

            WriteFigures(settings.Output, experiment, data, rows, outcome.Norms);
            report.AppendLine().AppendLine("## Pruned without fine-tuning (Figure 2)").AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"Top-1, mean over {experiment.Seeds.Count} seed(s) ± half the spread. Pruning: l1 = filters ranked by the raw L1 norm (the paper's), folded = by the BatchNorm-folded L1 norm, +comp = removed channels' expected output compensated (PruningPlan.Compensate), +recal = each pruned network's BatchNorm statistics re-estimated on 2,000 training images (Prune(plan, calibrationData)).")
                .AppendLine().Append(SweepMarkdown(rows, experiment.Seeds.Count)).AppendLine()
                .AppendJoin(Environment.NewLine, goals.Select(g => "- " + g)).AppendLine();
        }

        var modelPath = settings.OutputPath($"{preset.Name}.zip");
        ModelFiles.Save(mlContext, main, data.Train.Schema, modelPath);
        clock.Stop();
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Wall-clock time: {Units.Duration(clock.Elapsed)}.");
        var reportPath = settings.OutputPath($"{preset.Name}.md");
        AtomicFile.WriteText(reportPath, report.ToString());
        console.MarkupLine($"Saved {Markup.Escape(modelPath)} and {Markup.Escape(reportPath)}; wall-clock {Units.Duration(clock.Elapsed)}.");
        return 0;
    }

    private static Outcome Execute(MLContext mlContext, LoadedData data, ResolvedExperiment experiment, IProgressBoard board, CancellationToken cancellationToken)
    {
        var sweeps = new List<SweepRun>();
        var norms = new List<(string Label, IReadOnlyList<ConvFilterNorms> Norms)>();
        ElectrostaticCnnTransformer? main = null;
        foreach (var seed in experiment.Seeds)
        {
            var prefix = experiment.Seeds.Count > 1 ? $"seed {seed}: " : string.Empty;
            using var pretrained = experiment.PretrainEpochs == 0 ? null
                : ModelTraining.Fit(mlContext, data.Train, data.Test, $"{prefix}pretrain (plain)", experiment.PretrainingOptions(seed), board, cancellationToken);
            for (var m = 0; m < experiment.Methods.Count; m++)
            {
                var method = experiment.Methods[m];
                var label = Regularizers.LabelWithRate(method);
                var model = ModelTraining.Fit(mlContext, data.Train, data.Test, prefix + label, experiment.Options(method, seed), board, cancellationToken, pretrained);
                if (experiment.Ratios.Count > 0)
                {
                    var line = board.Start($"{prefix}sweep {label}", experiment.Variants.Count * experiment.Ratios.Count);
                    var natural = PruneVariant.NaturalFor(method, experiment.Variants);
                    var layers = model.Summary.Layers;
                    foreach (var variant in experiment.Variants)
                    {
                        var sweep = PrunedEvaluation.Sweep(
                            label, model, experiment.Ratios, data.Test, line, cancellationToken, r => variant.Apply(PruningPlan.PaperSweep(experiment.Preset.Architecture, r)), variant.Recalibrate ? data.Train : null);
                        sweeps.Add(new SweepRun(label, variant, variant == natural, sweep.Points, layers.Sum(l => l.DeadChannels), layers.Sum(l => l.Filters)));
                    }

                    line.Complete($"dense {Units.Percent(sweeps[^1].Points[0].Accuracy)}, dead channels {sweeps[^1].DeadChannels}/{sweeps[^1].Filters}");
                }

                if (seed == experiment.Seeds[0])
                {
                    norms.Add((label, model.GetFilterNorms()));
                }

                if (seed == experiment.Seeds[0] && m == experiment.Methods.Count - 1)
                {
                    main = model;
                }
                else
                {
                    model.Dispose();
                }
            }
        }

        var plans = new List<PlanRow>();
        foreach (var plan in experiment.Plans)
        {
            var parsed = OptionParsing.ParsePlan(plan.Plan);
            var point = PrunedEvaluation.Measure(mlContext, main!, parsed, data.Test);
            double? tunedAccuracy = null;
            if (experiment.FineTuneOptions(experiment.Seeds[0]) is { } fineTune)
            {
                var line = board.Start($"fine-tune {plan.Plan}", fineTune.Epochs);
                using var tuned = FineTuning.PruneAndFineTune(main!, parsed, data.Train, fineTune, line, cancellationToken);
                tunedAccuracy = PrunedEvaluation.Accuracy(mlContext, tuned, data.Test);
                line.Complete($"{Units.Percent(point.Accuracy)} -> {Units.Percent(tunedAccuracy.Value)}");
            }

            plans.Add(new PlanRow(plan, point, tunedAccuracy));
        }

        return new Outcome(main!, plans, sweeps, norms);
    }

    private static void WriteFigures(string folder, ResolvedExperiment experiment, LoadedData data, IReadOnlyList<SweepRow> rows, IReadOnlyList<(string Label, IReadOnlyList<ConvFilterNorms> Norms)> norms)
    {
        var title = experiment.Preset.Title;
        var curves = rows.Where(r => r.Natural).Select(r => new MethodSweep(experiment.Variants.Count > 1 ? $"{r.Label} ({r.Variant.Name})" : r.Label, r.Points)).ToList();
        OutputFiles.WriteFigure2(folder, curves, $"{title}, pruned without fine-tuning, mean of {experiment.Seeds.Count} seed(s)", data.ClassNames.Count);
        OutputFiles.WriteFigure3(folder, [.. norms.SelectMany(n => n.Norms.Select(l => new LayerFilterNorms(n.Label, l.Name, l.NormalizedL1Norms)))], $"Normalized raw filter L1 norms ({title}, seed {experiment.Seeds[0]})", RawNormsFigure);
        OutputFiles.WriteFigure3(folder, [.. norms.SelectMany(n => n.Norms.Select(l => new LayerFilterNorms(n.Label, l.Name, l.NormalizedFoldedL1Norms)))], $"Normalized BatchNorm-folded filter L1 norms ({title}, seed {experiment.Seeds[0]})", FoldedNormsFigure);
    }

    // One row per (method, pruning variant): the mean over seeds at every ratio and half the spread.
    private static List<SweepRow> Summarize(IReadOnlyList<SweepRun> runs) =>
        [.. runs.GroupBy(r => (r.Label, r.Variant)).Select(g =>
        {
            var first = g.First();
            var points = first.Points.Select((p, i) => p with { Accuracy = g.Average(r => r.Points[i].Accuracy) }).ToList();
            double[] spreads = [.. first.Points.Select((_, i) => (g.Max(r => r.Points[i].Accuracy) - g.Min(r => r.Points[i].Accuracy)) / 2)];
            return new SweepRow(g.Key.Label, g.Key.Variant, first.Natural, points, spreads, g.Average(r => (double)r.DeadChannels), first.Filters);
        })];

    private static Table SweepTable(IReadOnlyList<SweepRow> rows, int seeds)
    {
        var table = new Table().RoundedBorder().Title(Markup.Escape($"Top-1 pruned without fine-tuning{(seeds > 1 ? $" (mean of {seeds} seeds ± half spread)" : string.Empty)}"));
        table.AddColumn("Method");
        table.AddColumn("Pruning");
        table.AddColumn(new TableColumn("Dead").RightAligned());
        foreach (var point in rows[0].Points)
        {
            table.AddColumn(new TableColumn(FormattableString.Invariant($"{point.Ratio:0.##} ({point.Speedup:0.0}x)")).RightAligned());
        }

        foreach (var row in rows)
        {
            table.AddRow([Markup.Escape(row.Label), row.Variant.Name, FormattableString.Invariant($"{row.DeadChannels:0.#}/{row.Filters}"), .. row.Points.Select((p, i) => Cell(p.Accuracy, row.Spreads[i], seeds))]);
        }

        return table;
    }

    private static string SweepMarkdown(IReadOnlyList<SweepRow> rows, int seeds)
    {
        var text = new StringBuilder("| Method | Pruning | Dead channels |");
        text.AppendJoin(string.Empty, rows[0].Points.Select(p => FormattableString.Invariant($" {p.Ratio:0.##} ({p.Speedup:0.00}x) |"))).AppendLine();
        text.Append("|---|---|---:|").Append(string.Concat(Enumerable.Repeat("---:|", rows[0].Points.Count))).AppendLine();
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Label} | {row.Variant.Name} | {row.DeadChannels:0.#}/{row.Filters} |")
                .AppendJoin(string.Empty, row.Points.Select((p, i) => $" {Cell(p.Accuracy, row.Spreads[i], seeds)} |")).AppendLine();
        }

        return text.ToString();
    }

    private static string Cell(double accuracy, double halfSpread, int seeds) =>
        seeds > 1 ? FormattableString.Invariant($"{accuracy * 100:0.00} ±{halfSpread * 100:0.0}") : FormattableString.Invariant($"{accuracy * 100:0.00}");

    // The paper's metric (drop near 5.3x, electrostatic vs L1) and the issue's goals (within 1.5 points at 2x, 5 at 3.7x).
    private static List<string> Goals(IReadOnlyList<SweepRow> rows) =>
        [.. rows.Select(row =>
        {
            string Drop(double speedup)
            {
                var at = row.Points.MinBy(p => Math.Abs(Math.Log(p.Speedup / speedup)))!;
                return FormattableString.Invariant($"{(row.Points[0].Accuracy - at.Accuracy) * 100:0.00} points at {at.Speedup:0.00}x (ratio {at.Ratio:0.##})");
            }

            return FormattableString.Invariant($"{row.Label} ({row.Variant.Name}): dense {row.Points[0].Accuracy * 100:0.00}%; drop {Drop(2)}; {Drop(3.7)}; {Drop(5.3)}.");
        })];

    private static Table PlanTable(ExperimentPreset preset, IReadOnlyList<PlanRow> rows, ElectrostaticCnnTransformer model)
    {
        var table = new Table().RoundedBorder().Title(Markup.Escape(
            $"{preset.Title}: dense top-1 {Units.Percent(model.Summary.Training.Last?.ValidationAccuracy ?? double.NaN)}"));
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
                Markup.Escape(row.Plan.Plan),
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
        var builder = new StringBuilder()
            .AppendLine("| Plan | Params | FLOPs (2xMAC) | Speedup | Paper's speedup | Top-1 pruned | Top-1 fine-tuned |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            builder.AppendLine(CultureInfo.InvariantCulture,
                $"| `{row.Plan.Plan}` | {Units.Parameters(row.Point.Parameters)} | {Units.Flops(row.Point.Flops)} | {Units.Speedup(row.Point.Speedup)} | {(row.Plan.PaperSpeedup is { } p ? Units.Speedup(p) : "-")} | {Units.Percent(row.Point.Accuracy)} | {(row.FineTuned is { } t ? Units.Percent(t) : "-")} |");
        }

        return builder.ToString();
    }

    private sealed record PlanRow(PresetPlan Plan, SweepPoint Point, double? FineTuned);

    private sealed record SweepRun(string Label, PruneVariant Variant, bool Natural, IReadOnlyList<SweepPoint> Points, int DeadChannels, int Filters);

    private sealed record SweepRow(string Label, PruneVariant Variant, bool Natural, IReadOnlyList<SweepPoint> Points, double[] Spreads, double DeadChannels, int Filters);

    private sealed record Outcome(
        ElectrostaticCnnTransformer Main, IReadOnlyList<PlanRow> Plans, IReadOnlyList<SweepRun> Sweeps, IReadOnlyList<(string Label, IReadOnlyList<ConvFilterNorms> Norms)> Norms);
}
