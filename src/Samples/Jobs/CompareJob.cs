using System.Diagnostics;
using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Plots;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>
/// The main job: train the library's default (what <c>ElectrostaticCnn()</c> trains: any-ratio training with the folded
/// force) and the baselines (plain, L1-norm, network slimming, the paper's electrostatic force) with the same budget,
/// prune each ONE training run at a sweep of ratios without fine-tuning, evaluate with ML.NET, and write the table and
/// the paper's Figures 2 and 3. The baselines are pruned the classic way (raw L1 ranking) with BatchNorm recalibration
/// (without it they collapse past 0.5), the default its own way (folded ranking, compensation) both data-free
/// (<c>Prune(plan)</c>) and recalibrated. Optionally prune all of them at
/// the smallest swept ratio that reaches a target FLOPs speedup and fine-tune them.
/// </summary>
internal sealed class CompareJob(IAnsiConsole console)
{
    /// <summary>Epochs of the default run: enough for the methods to separate, short enough for about 5 minutes on 2 cores.</summary>
    public const int DefaultEpochs = 4;

    /// <summary>alpha_e of the default run on the small CNN, chosen from a sweep of 1e-13 ... 1e-9 on the embedded subset (4 epochs): the largest rate kept the dense accuracy and gave the best pruned curve.</summary>
    public const double DefaultAlpha = 1e-9;

    /// <summary>Fine-tuning epochs when --finetune-speedup is given without --finetune-epochs.</summary>
    public const int DefaultFineTuneEpochs = 2;

    /// <summary>The ratio every model of the job is pruned at when saved (the sweep covers 0-0.9).</summary>
    public const double DefaultRatio = 0.5;

    /// <summary>Label of the library's default model (the last of <see cref="Models"/>).</summary>
    public const string DefaultLabel = "default";

    /// <summary>What a recalibrated column's label adds to the method's: <c>Prune(plan, calibrationData)</c> on 2,000 training images.</summary>
    public const string RecalibratedSuffix = " (recal.)";

    /// <summary>
    /// The five models the job trains, with their table labels: plain, L1-norm, network slimming, the paper's force (the
    /// regularizer flags set these four; no any-ratio training) and the library's default as it is (its regularizer and
    /// any-ratio training); all with the settings the training flags give, else the job's (SmallCnn,
    /// <see cref="DefaultEpochs"/> epochs, <see cref="ShortRunSchedule"/>, the paper's raw-L1 sweep at <see cref="DefaultRatio"/> for
    /// the baselines, the library's defaults for the rest, its plan <c>sweep 0.5 rank folded compensate</c> included).
    /// </summary>
    /// <exception cref="FormatException">A flag's text cannot be parsed.</exception>
    /// <exception cref="ArgumentException">A regularizer flag that none of the four baselines has.</exception>
    public static IReadOnlyList<(string Label, ElectrostaticCnnTrainer.Options Options)> Models(CompareCommandSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var epochs = settings.Epochs ?? DefaultEpochs;
        PruningRegularizer.OptionsBase?[] baselines = [null, new L1Regularizer.Options(), new NetworkSlimmingRegularizer.Options(), new ElectrostaticForceRegularizer.Options { ForceRate = DefaultAlpha }];
        settings.ApplyKnobs(baselines);
        ElectrostaticCnnTrainer.Options Budget(ElectrostaticCnnTrainer.Options options)
        {
            bool baseline = options.AnyRatio is null;
            options.Epochs = epochs;
            options.LearningRateSchedule = ShortRunSchedule(epochs);
            settings.ApplyTraining(options);
            options.AnyRatio = baseline ? null : options.AnyRatio;   // --any-ratio changes the default's range only
            // The baselines prune the classic way (raw L1 ranking), which recalibration suits: measured on the embedded subset,
            // plain at 0.7 kept 68.4% raw + recalibrated and 40.1% folded + compensated + recalibrated.
            options.PruningPlan = settings.Plan is not null || !baseline ? options.PruningPlan : PruningPlan.PaperSweep(DefaultRatio);
            return options;
        }

        return [
            .. baselines.Select(regularizer => (Regularizers.Label(regularizer), Budget(new ElectrostaticCnnTrainer.Options { Regularizer = regularizer, AnyRatio = null }))),
            (DefaultLabel, Budget(new ElectrostaticCnnTrainer.Options())),
        ];
    }

    /// <summary>
    /// The learning rate of short CPU runs: 0.02, divided by 10 for the last quarter of the epochs (at least the last one
    /// when there are two or more; a constant 0.02 for one). P1's 0.1 is too high for the small CNN, and P1 only decays at epoch 100.
    /// </summary>
    public static LearningRateSchedule ShortRunSchedule(int epochs)
    {
        var decay = Math.Min(epochs - 1, (int)Math.Ceiling(epochs * 0.75));
        return decay < 1 ? LearningRateSchedule.Constant(0.02) : LearningRateSchedule.Parse(FormattableString.Invariant($"0:0.02,{decay}:0.002"));
    }

    /// <summary>Runs the job and returns the exit code.</summary>
    public int Run(CompareCommandSettings settings, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        RunEnvironment.ApplyThreads(settings.Threads);
        var models = Models(settings);
        var mlContext = new MLContext(seed: settings.Seed);
        var data = DataLoader.Load(mlContext, DataSourceDetector.Detect(settings.Data ?? RepositoryLocator.FindEmbeddedData()), settings);
        var ratios = OptionParsing.ParseRatios(settings.Ratios);
        var architecture = models[0].Options.Architecture;

        console.MarkupLine($"[bold]Data[/]     {Markup.Escape(data.Description)}");
        console.MarkupLine($"[bold]Training[/] {Markup.Escape(OptionsText.Training(models[0].Options, shared: true))}");
        console.MarkupLine($"[bold]Methods[/]  {Markup.Escape(string.Join("; ", models.Select(m => OptionsText.Method(m.Label, m.Options))))}");
        console.MarkupLine($"[bold]Machine[/]  {Markup.Escape(RunEnvironment.Describe())}");
        console.MarkupLine($"[bold]Output[/]   {Markup.Escape(Path.GetFullPath(settings.Output))}");

        var outcome = ProgressBoards.Run(console, board => Execute(mlContext, data, models, ratios, settings, board, cancellationToken));
        using var disposeModels = new DisposableList(outcome.Trainings.Select(t => t.Model));

        var table = ResultsTable.Create(outcome.Sweeps);
        var subtitle = $"{architecture} on {data.Description.Split(" at ")[0]}, {data.TrainCount:N0} training / {data.TestCount:N0} test images";
        console.Write(table.ToSpectreTable($"Top-1 accuracy pruned without fine-tuning: baselines raw-L1 ranked, default folded-ranked + compensated; {RecalibratedSuffix.Trim()} = BatchNorm statistics re-estimated on 2,000 training images"));
        if (outcome.FineTuned.Count > 0)
        {
            console.Write(FineTuneTable(outcome.FineTuned));
        }

        var output = settings.Output;
        var figure2 = OutputFiles.WriteFigure2(output, outcome.Sweeps, subtitle, data.ClassNames.Count);
        var figure3 = OutputFiles.WriteFigure3(output, outcome.Norms, $"Normalized filter L1 norms of the regularized layers ({architecture}, sorted)");
        foreach (var training in outcome.Trainings)
        {
            ModelFiles.Save(mlContext, training.Model, data.Train.Schema, Path.Combine(output, ModelFileName(training.Label)));
        }

        clock.Stop();
        var report = new ComparisonReport(
            "The library's default (one training run, every ratio) vs. plain, L1-norm, network slimming and the paper's electrostatic force, pruned without fine-tuning (baselines raw-L1 ranked, the default folded-ranked and compensated); (recal.) = BatchNorm statistics re-estimated on 2,000 training images",
            $"{SamplesApp.ApplicationName} {string.Join(' ', args.Select(QuoteIfNeeded))}".TrimEnd(),
            data.Description,
            RunEnvironment.Describe(),
            [.. outcome.Trainings.Select(t =>
                $"{t.Label}: {t.Model.Summary.TrainingOptions}; trained in {Units.Duration(t.Duration)}, dense top-1 {Units.Percent(t.DenseAccuracy)}")],
            table,
            outcome.FineTuned,
            clock.Elapsed,
            [(OutputFiles.Figure2, "Figure 2: top-1 accuracy vs pruning ratio"), (OutputFiles.Figure3, "Figure 3: normalized filter L1 norms")]);
        var reportPath = OutputFiles.WriteReport(output, report);

        // Markdown goes out raw: Spectre would wrap its long lines at the terminal width.
        var raw = console.Profile.Out.Writer;
        raw.WriteLine();
        raw.WriteLine($"Markdown (also in {reportPath}):");
        raw.WriteLine(table.ToMarkdown());
        if (outcome.FineTuned.Count > 0)
        {
            raw.WriteLine(ComparisonReport.FineTuneMarkdown(outcome.FineTuned));
        }

        raw.Flush();

        console.MarkupLine($"[bold]Figure 2[/] {Markup.Escape(figure2)}");
        console.MarkupLine($"[bold]Figure 3[/] {Markup.Escape(figure3)}");
        console.MarkupLine($"[bold]Models[/]   {Markup.Escape(string.Join(", ", models.Select(m => Path.Combine(output, ModelFileName(m.Label)))))}");
        console.MarkupLine($"[bold]Wall-clock[/] {Units.Duration(clock.Elapsed)} ({Markup.Escape(RunEnvironment.Describe())})");
        return 0;
    }

    /// <summary>The file a method's model is saved to, e.g. "model-electrostatic-force.zip".</summary>
    public static string ModelFileName(string label) => $"model-{label.ToLowerInvariant().Replace(' ', '-')}.zip";

    private static Outcome Execute(
        MLContext mlContext,
        LoadedData data,
        IReadOnlyList<(string Label, ElectrostaticCnnTrainer.Options Options)> models,
        IReadOnlyList<double> ratios,
        CompareCommandSettings settings,
        IProgressBoard board,
        CancellationToken cancellationToken)
    {
        var trainings = new List<Training>();
        foreach (var (label, options) in models)
        {
            var started = Stopwatch.GetTimestamp();
            var model = ModelTraining.Fit(mlContext, data.Train, data.Test, label, options, board, cancellationToken);
            trainings.Add(new Training(label, model, Stopwatch.GetElapsedTime(started), model.Summary.Training.Last?.ValidationAccuracy ?? double.NaN));
        }

        // The default model data-free and recalibrated, every baseline recalibrated: one training run per model, every ratio.
        var sweepLine = board.Start("pruning sweep", (trainings.Count + 1) * ratios.Count);
        var calibration = data.Train;
        var sweeps = new List<MethodSweep>();
        foreach (var t in trainings)
        {
            if (t.Label == DefaultLabel)
            {
                sweeps.Add(PrunedEvaluation.Sweep(t.Label, t.Model, ratios, data.Test, sweepLine, cancellationToken));
            }

            sweeps.Add(PrunedEvaluation.Sweep(t.Label + RecalibratedSuffix, t.Model, ratios, data.Test, sweepLine, cancellationToken, calibrationData: calibration));
        }

        sweepLine.Complete($"{trainings.Count} models x {ratios.Count} ratios, {sweeps.Count} columns");
        var norms = trainings.SelectMany(t => t.Model.GetFilterNorms().Select(profile => new LayerFilterNorms(t.Label, profile.Name, profile.NormalizedL1Norms))).ToList();

        var fineTuned = new List<FineTuneRow>();
        if (settings.FinetuneSpeedup > 0)
        {
            var target = sweeps[0].Points.FirstOrDefault(p => p.Speedup >= settings.FinetuneSpeedup)
                ?? throw new ArgumentException(
                    $"--finetune-speedup {settings.FinetuneSpeedup}: no swept ratio reaches it (the largest gives {Units.Speedup(sweeps[0].Points[^1].Speedup)}); add larger --ratios.");
            var epochs = settings.FinetuneEpochs is { } e and > 0 ? e : DefaultFineTuneEpochs;
            for (var i = 0; i < trainings.Count; i++)
            {
                var training = trainings[i];
                var options = models[i].Options;
                var line = board.Start($"fine-tune {training.Label} @ {target.Ratio:0.##}", epochs);
                var started = Stopwatch.GetTimestamp();
                using var tuned = FineTuning.PruneAndFineTune(
                    training.Model,
                    PrunedEvaluation.PlanForRatio(training.Model, target.Ratio),
                    data.Train,
                    new ElectrostaticCnnTransformer.FineTuneOptions { Epochs = epochs, BatchSize = options.BatchSize, Augment = options.Augment, Seed = options.Seed, Device = options.Device },
                    line,
                    cancellationToken);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var after = PrunedEvaluation.Accuracy(mlContext, tuned, data.Test);
                var before = sweeps.First(w => w.Method == training.Label || w.Method == training.Label + RecalibratedSuffix).Points.Single(p => p.Ratio == target.Ratio).Accuracy;
                line.Complete($"{Units.Percent(before)} -> {Units.Percent(after)}");
                fineTuned.Add(new FineTuneRow(training.Label, target.Ratio, target.Speedup, epochs, before, after, seconds));
            }
        }

        return new Outcome(trainings, sweeps, norms, fineTuned);
    }

    private static Table FineTuneTable(IReadOnlyList<FineTuneRow> rows)
    {
        var table = new Table().RoundedBorder().Title("Pruned and fine-tuned (SGD(0.9, 5e-4), P2)");
        table.AddColumn("Method");
        table.AddColumn(new TableColumn("Ratio").RightAligned());
        table.AddColumn(new TableColumn("Speedup").RightAligned());
        table.AddColumn(new TableColumn("Epochs").RightAligned());
        table.AddColumn(new TableColumn("Pruned").RightAligned());
        table.AddColumn(new TableColumn("Fine-tuned").RightAligned());
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Method),
                row.Ratio.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
                Units.Speedup(row.Speedup),
                row.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Units.Percent(row.Before),
                Units.Percent(row.After));
        }

        return table;
    }

    private static string QuoteIfNeeded(string arg) => arg.Any(char.IsWhiteSpace) || arg.Contains('[', StringComparison.Ordinal) ? $"\"{arg}\"" : arg;

    private sealed record Training(string Label, ElectrostaticCnnTransformer Model, TimeSpan Duration, double DenseAccuracy);

    private sealed record Outcome(IReadOnlyList<Training> Trainings, IReadOnlyList<MethodSweep> Sweeps, IReadOnlyList<LayerFilterNorms> Norms, IReadOnlyList<FineTuneRow> FineTuned);
}
