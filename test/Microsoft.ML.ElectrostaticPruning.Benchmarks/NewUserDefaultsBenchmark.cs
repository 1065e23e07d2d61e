using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// What a new user gets: README's simple overload exactly as written
/// (<c>ElectrostaticCnn("Label", "Features", architecture, epochs: 10)</c>, every other setting the default; <c>--alpha</c>,
/// <c>--plan</c>, <c>--lr</c> and <c>--regularizer</c> override them, <c>--any-ratio-start</c>, <c>--distillation</c>,
/// <c>--sub-networks</c>, <c>--sub-network-weight</c>, <c>--max-ratio</c> the default <see cref="AnyRatioTrainingOptions"/>; <c>--no-plain</c> skips the plain run) on the embedded Fashion-MNIST subset (6,000 train /
/// 2,000 test), for SmallCnn, ResNet-20 and VGG-11 (<c>--architectures</c>) and two MLContext seeds, next to plain training
/// with the same budget (no regularizer, no any-ratio training). Per run: the test accuracy of the returned pruned model, of the same model unpruned
/// (<c>Prune(PruningPlan.Uniform(0))</c>) and of the plain model, and the largest fall of the per-epoch validation accuracy.
/// Issue 19's bars: unpruned within 2 points of plain, pruned within 3 of unpruned, no epoch falling by more than 10.
/// The headline is the mean pruned-vs-unpruned gap in points.
/// </summary>
internal sealed class NewUserDefaultsBenchmark : IBenchmark
{
    public string Name => "new-user-defaults";

    public string Description => "README's simple overload on the embedded subset for SmallCnn, ResNet-20, VGG-11 and seeds 1, 2 unless --architectures or --seeds say otherwise, beside plain training (headline: mean pruned-vs-unpruned gap in points)";

    public double Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string folder = FindEmbeddedData();
        int[] seeds = context.Option("--seeds") is { } list ? [.. list.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))] : context.Quick ? [1] : [1, 2];
        int epochs = context.Option("--epochs") is { } e ? int.Parse(e, CultureInfo.InvariantCulture) : context.Quick ? 2 : 10;
        var architectures = (context.Option("--architectures") ?? "SmallCnn,ResNet20,Vgg11").Split(',').Select(a => Enum.Parse<CnnArchitecture>(a, ignoreCase: true)).ToArray();
        // Without --alpha the simple overload's own default rate (it must not be passed: a passed value is not the default).
        double? alpha = context.Option("--alpha") is { } a ? double.Parse(a, CultureInfo.InvariantCulture) : null;
        string? plan = context.Option("--plan");
        string? schedule = context.Option("--lr");
        var gaps = new List<double>();
        var trainedWith = new List<string>();
        context.Output.WriteLine("| network | seed | plain | unpruned | pruned (speedup) | unpruned - plain | pruned - unpruned | largest epoch fall | fit s |");
        context.Output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var architecture in architectures)
        {
            foreach (int seed in seeds)
            {
                var ml = new MLContext(seed: seed);
                var train = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
                var test = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
                var trainer = alpha is { } rate
                    ? ml.MulticlassClassification.Trainers.ElectrostaticCnn("Label", "Features", architecture, epochs: epochs, pruningPlan: plan, forceRate: rate, learningRateSchedule: schedule)
                    : ml.MulticlassClassification.Trainers.ElectrostaticCnn("Label", "Features", architecture, epochs: epochs, pruningPlan: plan, learningRateSchedule: schedule);

                // The same settings through the options overload, with the test set as validation set (it changes no
                // weight) and, for the baseline, no regularizer.
                var options = trainer.TrainerOptions;
                options.ValidationSet = test;
                if (context.Option("--regularizer") is { } kind)
                {
                    options.Regularizer = Regularizer(kind, alpha);
                }

                if (options.AnyRatio is { } anyRatio)
                {
                    anyRatio.StartEpoch = context.Option("--any-ratio-start") is { } start ? int.Parse(start, CultureInfo.InvariantCulture) : anyRatio.StartEpoch;
                    anyRatio.DistillationWeight = context.Option("--distillation") is { } weight ? double.Parse(weight, CultureInfo.InvariantCulture) : anyRatio.DistillationWeight;
                    anyRatio.SubNetworks = context.Option("--sub-networks") is { } count ? int.Parse(count, CultureInfo.InvariantCulture) : anyRatio.SubNetworks;
                    anyRatio.SubNetworkWeight = context.Option("--sub-network-weight") is { } w ? double.Parse(w, CultureInfo.InvariantCulture) : anyRatio.SubNetworkWeight;
                    anyRatio.MaxRatio = context.Option("--max-ratio") is { } max ? double.Parse(max, CultureInfo.InvariantCulture) : anyRatio.MaxRatio;
                }

                long started = Stopwatch.GetTimestamp();
                using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                double plainAccuracy = double.NaN;
                if (!context.Flag("--no-plain"))
                {
                    var plainOptions = trainer.TrainerOptions;
                    plainOptions.Regularizer = null;
                    plainOptions.AnyRatio = null;
                    using var plainModel = new MLContext(seed: seed).MulticlassClassification.Trainers.ElectrostaticCnn(plainOptions).Fit(train);
                    using var plainUnpruned = plainModel.Prune(PruningPlan.Uniform(0));
                    plainAccuracy = ml.MulticlassClassification.Evaluate(plainUnpruned.Transform(test)).MicroAccuracy * 100;
                }

                using var unpruned = model.Prune(PruningPlan.Uniform(0));
                double pruned = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy * 100;
                double dense = ml.MulticlassClassification.Evaluate(unpruned.Transform(test)).MicroAccuracy * 100;
                var validation = model.Summary.Training.Select(m => m.ValidationAccuracy!.Value * 100).ToArray();
                double largestFall = validation.Zip(validation.Skip(1), (x, y) => x - y).DefaultIfEmpty(0).Max();
                gaps.Add(dense - pruned);
                trainedWith.Add($"{architecture} seed {seed}: {model.Summary.TrainingOptions}");
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {architecture} | {seed} | {plainAccuracy:F2} | {dense:F2} | {pruned:F2} ({model.Summary.Speedup:F2}x) | {dense - plainAccuracy:+0.00;-0.00} | {pruned - dense:+0.00;-0.00} | {Math.Max(0, largestFall):F2} | {seconds:F0} |"));
            }
        }

        context.Output.WriteLine();
        foreach (string line in trainedWith)
        {
            context.Output.WriteLine(line);
        }

        return gaps.Average();
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"mean gap {value:F2} points (pruned vs unpruned; bar 3)");

    private static PruningRegularizer.OptionsBase? Regularizer(string kind, double? alpha) => kind.ToLowerInvariant() switch
    {
        "folded" => new FoldedForceRegularizer.Options { ForceRate = alpha ?? ElectrostaticCnnTrainer.Defaults.FoldedForceRate },
        "electrostatic" => new ElectrostaticForceRegularizer.Options { ForceRate = alpha ?? ElectrostaticCnnTrainer.Defaults.ForceRate },
        "l1" => new L1Regularizer.Options(),
        "slimming" => new NetworkSlimmingRegularizer.Options(),
        "none" => null,
        _ => throw new ArgumentException($"--regularizer must be folded, electrostatic, l1, slimming or none; got '{kind}'."),
    };

    internal static string FindEmbeddedData()
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
}
