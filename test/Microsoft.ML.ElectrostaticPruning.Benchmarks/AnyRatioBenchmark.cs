using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Data;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// Issue 19's table: one training run per method and seed, each pruned at every ratio without fine-tuning, data-free and
/// with BatchNorm recalibration on 2,000 training images; each baseline pruned its best way (raw L1 ranking, or folded
/// ranking with compensation, whichever scores higher at that ratio). Mean and spread over the seeds.
/// </summary>
/// <remarks>
/// <c>--data DIR</c> (IDX files; default the embedded 6,000/2,000 Fashion-MNIST subset), <c>--architecture</c> (SmallCnn),
/// <c>--epochs</c> (4, the main job's), <c>--seeds 1,2</c>, <c>--methods plain,l1,...</c> (default all), <c>--train-limit N</c>.
/// </remarks>
internal sealed class AnyRatioBenchmark : IBenchmark
{
    private static readonly double[] Ratios = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

    public string Name => "any-ratio";

    public string Description => "one training run per method, pruned at 0-0.7 without fine-tuning, data-free and recalibrated (issue 19; headline: the default's mean accuracy over 0.1-0.7, recalibrated)";

    public double Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string folder = context.Option("--data") ?? FindEmbeddedData();
        var architecture = context.Option("--architecture") is { } a ? Enum.Parse<CnnArchitecture>(a, ignoreCase: true) : CnnArchitecture.SmallCnn;
        int epochs = context.Option("--epochs") is { } e ? int.Parse(e, CultureInfo.InvariantCulture) : context.Quick ? 1 : 4;
        int[] seeds = context.Option("--seeds") is { } s ? [.. s.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))] : context.Quick ? [1] : [1, 2];
        int trainLimit = context.Option("--train-limit") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : 0;
        var methods = Methods(epochs);
        if (context.Option("--methods") is { } names)
        {
            var wanted = names.Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase);
            methods = [.. methods.Where(m => wanted.Contains(m.Key))];
        }

        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
        if (trainLimit > 0)
        {
            train = ml.Data.TakeRows(train, trainLimit);
        }

        var test = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
        context.Output.WriteLine($"{architecture}, {epochs} epochs (lr 0.02, /10 for the last quarter, 1 warm-up epoch), batch 128, seeds {string.Join(",", seeds)}, data {folder}");

        // results[method][seed] = (dense, data-free per ratio, recalibrated per ratio, seconds per epoch)
        var results = new Dictionary<string, List<(double[] DataFree, double[] Recalibrated, double SecondsPerEpoch)>>();
        foreach (var method in methods)
        {
            foreach (int seed in seeds)
            {
                var options = method.Options(architecture);
                options.Seed = seed;
                long started = Stopwatch.GetTimestamp();
                using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
                double perEpoch = Stopwatch.GetElapsedTime(started).TotalSeconds / epochs;
                var dataFree = new double[Ratios.Length];
                var recalibrated = new double[Ratios.Length];
                for (int i = 0; i < Ratios.Length; i++)
                {
                    (dataFree[i], recalibrated[i]) = Best(ml, model, architecture, Ratios[i], train, test, method.OwnPlanOnly ? [model.PruningPlan] : null);
                }

                if (!results.TryGetValue(method.Key, out var list))
                {
                    results[method.Key] = list = [];
                }

                list.Add((dataFree, recalibrated, perEpoch));
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {method.Key,-22} seed {seed}: {perEpoch:F1} s/epoch; data-free {string.Join(" ", dataFree.Select(x => $"{x * 100:F2}"))}; recalibrated {string.Join(" ", recalibrated.Select(x => $"{x * 100:F2}"))}"));
            }
        }

        context.Output.WriteLine();
        context.Output.WriteLine("| method | columns | " + string.Join(" | ", Ratios.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture))) + " | s/epoch |");
        context.Output.WriteLine("|---|---|" + string.Concat(Ratios.Select(_ => "---:|")) + "---:|");
        foreach (var (name, runs) in results)
        {
            foreach (bool calibrated in new[] { false, true })
            {
                var cells = Ratios.Select((_, i) =>
                {
                    var values = runs.Select(r => (calibrated ? r.Recalibrated : r.DataFree)[i] * 100).ToArray();
                    double mean = values.Average();
                    double spread = values.Length > 1 ? (values.Max() - values.Min()) / 2 : 0;
                    return string.Create(CultureInfo.InvariantCulture, $"{mean:F2} ±{spread:F2}");
                });
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {(calibrated ? "recalibrated" : "data-free")} | {string.Join(" | ", cells)} | {runs.Average(r => r.SecondsPerEpoch):F1} |"));
            }
        }

        return results.TryGetValue("default", out var sandwich) ? sandwich.Average(r => r.Recalibrated.Skip(1).Average()) * 100 : 0;
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"default (sandwich + graded folded force) mean accuracy {value:F2}% over 0.1-0.7 (recalibrated)");

    /// <summary>The accuracy at <paramref name="ratio"/>, data-free and recalibrated, of the best of the given pruning ways (raw L1, and folded + compensate, by default).</summary>
    private static (double DataFree, double Recalibrated) Best(MLContext ml, ElectrostaticCnnTransformer model, CnnArchitecture architecture, double ratio, IDataView train, IDataView test, PruningPlan[]? ways)
    {
        ways = ways is null
            ? [PruningPlan.PaperSweep(architecture, ratio), PruningPlan.PaperSweep(architecture, ratio).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation()]
            : [.. ways.Select(w => PruningPlan.PaperSweep(architecture, ratio).WithRanking(w.Ranking).WithCompensation(w.Compensate))];
        double bestFree = 0, bestCalibrated = 0;
        foreach (var plan in ways)
        {
            using var free = model.Prune(plan);
            using var calibrated = model.Prune(plan, train);
            bestFree = Math.Max(bestFree, ml.MulticlassClassification.Evaluate(free.Transform(test)).MicroAccuracy);
            bestCalibrated = Math.Max(bestCalibrated, ml.MulticlassClassification.Evaluate(calibrated.Transform(test)).MicroAccuracy);
        }

        return (bestFree, bestCalibrated);
    }

    /// <summary>The methods compared; every one trains with the main job's budget.</summary>
    private static List<Method> Methods(int epochs)
    {
        ElectrostaticCnnTrainer.Options Base(CnnArchitecture architecture) => new()
        {
            Architecture = architecture,
            Epochs = epochs,
            BatchSize = 128,
            LearningRateSchedule = ShortRunSchedule(epochs),
            WarmupEpochs = 1,
            Device = TrainingDevice.Cpu,
            AnyRatio = null,
        };

        // One method: its regularizer, its any-ratio training (null: none) and its plan (null: the library's default plan).
        // The default, its new ablations and the sandwich rows are pruned with their own plan's ranking only; the rest their best way.
        Method Trained(string key, PruningRegularizer.OptionsBase? regularizer, AnyRatioTrainingOptions? anyRatio = null, PruningPlan? plan = null, bool ownPlanOnly = false) =>
            new(key, ownPlanOnly || key.StartsWith("sandwich", StringComparison.Ordinal), a => With(Base(a), o =>
            {
                o.Regularizer = regularizer;
                o.AnyRatio = anyRatio;
                o.PruningPlan = plan ?? o.PruningPlan;
            }));

        FoldedForceRegularizer.Options Folded(double rate, double? gradedUpTo = null, int? start = null) => new() { ForceRate = rate, GradedUpToRatio = gradedUpTo, StartEpoch = start };
        var library = new ElectrostaticCnnTrainer.Options();
        var sandwichPlan = PruningPlan.Parse("0.1 rank folded compensate");
        return
        [
            Trained("default", library.Regularizer, library.AnyRatio, ownPlanOnly: true),
            Trained("default-sub-weight-0.5", library.Regularizer, new AnyRatioTrainingOptions { SubNetworkWeight = 0.5 }, ownPlanOnly: true),
            Trained("default-random-ratios", library.Regularizer, new AnyRatioTrainingOptions { RandomRatiosOnly = true }, ownPlanOnly: true),
            Trained("default-random-ratios-sub-weight-0.5", library.Regularizer, new AnyRatioTrainingOptions { RandomRatiosOnly = true, SubNetworkWeight = 0.5 }, ownPlanOnly: true),
            Trained("default-1e-11", Folded(1e-11), new AnyRatioTrainingOptions { StartEpoch = 0 }),
            Trained("default-1e-11-late-sandwich", Folded(1e-11), new AnyRatioTrainingOptions { StartEpoch = epochs / 2 }),
            Trained("default-3e-13", Folded(3e-13), new AnyRatioTrainingOptions { StartEpoch = 0 }),
            Trained("default-no-force", null, new AnyRatioTrainingOptions { StartEpoch = 0 }),
            Trained("default-1e-11-pure-distill", Folded(1e-11), new AnyRatioTrainingOptions { DistillationWeight = 1, StartEpoch = 0 }),
            Trained("plain", null),
            Trained("l1", new L1Regularizer.Options()),
            Trained("slimming", new NetworkSlimmingRegularizer.Options()),
            Trained("folded-targeted-0.5", Folded(1e-11)),
            Trained("graded-0.1-0.7", Folded(1e-11, gradedUpTo: 0.7), plan: sandwichPlan),
            Trained("sandwich", null, new AnyRatioTrainingOptions { StartEpoch = 0 }, sandwichPlan),
            Trained("sandwich-no-distill", null, new AnyRatioTrainingOptions { DistillationWeight = 0, StartEpoch = 0 }, sandwichPlan),
            Trained("sandwich-graded", Folded(1e-11, gradedUpTo: 0.7), new AnyRatioTrainingOptions { StartEpoch = 0 }, sandwichPlan),
            Trained("sandwich-targeted", Folded(1e-11), new AnyRatioTrainingOptions { StartEpoch = 0 }, sandwichPlan),
            Trained("sandwich-graded-1e-12", Folded(1e-12, gradedUpTo: 0.7), new AnyRatioTrainingOptions { StartEpoch = 0 }, sandwichPlan),
            Trained("sandwich-graded-last-epoch", Folded(1e-11, gradedUpTo: 0.7, start: epochs - 1), new AnyRatioTrainingOptions { StartEpoch = 0 }, sandwichPlan),
            Trained("sandwich-2-subnets", null, new AnyRatioTrainingOptions { SubNetworks = 2, StartEpoch = 0 }, sandwichPlan),
        ];
    }

    private static ElectrostaticCnnTrainer.Options With(ElectrostaticCnnTrainer.Options options, Action<ElectrostaticCnnTrainer.Options> change)
    {
        change(options);
        return options;
    }

    /// <summary>The main job's rate: 0.02, divided by 10 for the last quarter of the epochs.</summary>
    private static LearningRateSchedule ShortRunSchedule(int epochs)
    {
        int decay = Math.Min(epochs - 1, (int)Math.Ceiling(epochs * 0.75));
        return decay < 1 ? LearningRateSchedule.Constant(0.02) : LearningRateSchedule.Parse(FormattableString.Invariant($"0:0.02,{decay}:0.002"));
    }

    private static string FindEmbeddedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "fashion-mnist");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"data/fashion-mnist not found above {AppContext.BaseDirectory}.");
    }

    private sealed record Method(string Key, bool OwnPlanOnly, Func<CnnArchitecture, ElectrostaticCnnTrainer.Options> Options);
}
