using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// What a new user gets: README's simple overload exactly as written
/// (<c>ElectrostaticCnn("Label", "Features", CnnArchitecture.SmallCnn, epochs: 10)</c>, every other setting the default;
/// <c>--alpha</c>, <c>--plan</c> and <c>--lr</c> override forceRate, pruningPlan and learningRateSchedule)
/// on the embedded Fashion-MNIST subset (6,000 train / 2,000 test), for two MLContext seeds: the first epoch's loss (does
/// training start by diverging?) and the test accuracy of the returned pruned model next to the same model unpruned
/// (<c>Prune(PruningPlan.Uniform(0))</c>). The headline is the mean gap in points; the bar is 3.
/// </summary>
internal sealed class NewUserDefaultsBenchmark : IBenchmark
{
    public string Name => "new-user-defaults";

    public string Description => "README's simple overload on the embedded subset, 2 seeds: epoch-0 loss, pruned vs unpruned test accuracy (headline: mean gap in points)";

    public double Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string folder = FindEmbeddedData();
        int[] seeds = context.Quick ? [1] : [1, 2];
        double alpha = context.Option("--alpha") is { } a ? double.Parse(a, CultureInfo.InvariantCulture) : ElectrostaticCnnTrainer.Defaults.ForceRate;
        string? plan = context.Option("--plan");
        string? schedule = context.Option("--lr");
        var gaps = new List<double>();
        foreach (int seed in seeds)
        {
            var ml = new MLContext(seed: seed);
            var train = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
            var test = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
            long started = Stopwatch.GetTimestamp();
            var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn("Label", "Features", CnnArchitecture.SmallCnn, epochs: 10, pruningPlan: plan, forceRate: alpha, learningRateSchedule: schedule);
            if (context.Option("--regularizer") is { } kind)
            {
                // Same settings through the options overload, with another regularizer: folded, electrostatic, l1, slimming or none.
                var options = trainer.TrainerOptions;
                options.Regularizer = kind.ToLowerInvariant() switch
                {
                    "folded" => new FoldedForceRegularizer.Options { ForceRate = alpha },
                    "electrostatic" => new ElectrostaticForceRegularizer.Options { ForceRate = alpha },
                    "l1" => new L1Regularizer.Options(),
                    "slimming" => new NetworkSlimmingRegularizer.Options(),
                    "none" => null,
                    _ => throw new ArgumentException($"--regularizer must be folded, electrostatic, l1, slimming or none; got '{kind}'."),
                };
                trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options);
            }

            using var model = trainer.Fit(train);
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            using var unpruned = model.Prune(PruningPlan.Uniform(0));
            double pruned = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
            double dense = ml.MulticlassClassification.Evaluate(unpruned.Transform(test)).MicroAccuracy;
            var epochs = model.Summary.Training;
            gaps.Add((dense - pruned) * 100);
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {seed}: epoch-0 loss {epochs[0].Loss:F3} (last {epochs[^1].Loss:F3}), train accuracy {epochs[^1].TrainAccuracy:P2}; test top-1 unpruned {dense:P2}, pruned by {model.PruningPlan} {pruned:P2} ({gaps[^1]:F2} points, {model.Summary.Speedup:F2}x fewer FLOPs); fit {seconds:F1} s"));
            foreach (var layer in model.Summary.Layers)
            {
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {layer.Name}: dead {layer.DeadChannels}/{layer.Filters}, source share {layer.SourceNormShare:P1}, removed with the source's sign {layer.RemovedWithSourceSign}/{layer.RemovedFilters}"));
            }
        }

        return gaps.Average();
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"mean gap {value:F2} points (pruned vs unpruned; bar 3)");

    // "--name value" after the benchmark name; the defaults when absent (--regularizer FoldedElectrostaticForce on the filters
    // the plan removes from half-way, --alpha 1e-11, --plan "0.5 rank folded compensate", --lr P1).

    private static string FindEmbeddedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "fashion-mnist");
            if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"data/fashion-mnist not found above {AppContext.BaseDirectory}.");
    }
}
