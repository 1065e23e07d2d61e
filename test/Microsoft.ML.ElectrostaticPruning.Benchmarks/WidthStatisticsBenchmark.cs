using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// What the BatchNorm statistics <c>Fit</c> stores for the widths of its range give a data-free <c>Prune(plan)</c>: the
/// simple overload's defaults (10 epochs, <c>--epochs</c>) on the embedded subset for ResNet-20 and VGG-11
/// (<c>--architectures</c>) and seed 1 (<c>--seeds</c>), then at ratios 0.3, 0.42, 0.5, 0.62, 0.7 and 0.8 of the paper's
/// sweep (the model's folded ranking and compensation) the test accuracy of five prunings of the same dense network:
/// with the dense network's statistics (data-free pruning before the stored widths), data-free <c>Prune(plan)</c> (the
/// stored widths: 0.42 and 0.62 lie between two, interpolated, 0.8 past the range), the stored widths without
/// interpolation (the next wider width's statistics), <c>Prune(plan, train)</c> (recalibrated on
/// 2,000 training images, seed 0), and the same recalibration of the filters the final weights rank first instead of the
/// order the last epoch trained over (<see cref="FilterOrder"/>; what <c>Fit</c> pruned before it kept that order).
/// Headline: the mean accuracy gain of the stored statistics over the dense ones, in points.
/// </summary>
internal sealed class WidthStatisticsBenchmark : IBenchmark
{
    private const string FinalRanking = "recalibrated, final weights ranked";
    private const string NextWider = "stored widths, next wider";
    private static readonly double[] Ratios = [0.3, 0.42, 0.5, 0.62, 0.7, 0.8];

    public string Name => "width-statistics";

    public string Description => "data-free Prune(plan) with the stored per-width BatchNorm statistics vs the dense statistics vs recalibration (headline: mean gain in points)";

    public double Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string folder = NewUserDefaultsBenchmark.FindEmbeddedData();
        int[] seeds = context.Option("--seeds") is { } list ? [.. list.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))] : [1];
        int epochs = context.Option("--epochs") is { } e ? int.Parse(e, CultureInfo.InvariantCulture) : context.Quick ? 2 : 10;
        var architectures = (context.Option("--architectures") ?? "ResNet20,Vgg11").Split(',').Select(a => Enum.Parse<CnnArchitecture>(a, ignoreCase: true)).ToArray();
        var gains = new List<double>();
        context.Output.WriteLine($"| network | seed | statistics | {string.Join(" | ", Ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} |");
        context.Output.WriteLine($"|---|---:|---|{string.Concat(Ratios.Select(_ => "---:|"))}");
        foreach (var architecture in architectures)
        {
            foreach (int seed in seeds)
            {
                var ml = new MLContext(seed: seed);
                var train = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
                var test = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
                using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn("Label", "Features", architecture, epochs: epochs).Fit(train);
                var plan = model.PruningPlan;
                var rows = new[] { "dense statistics", "stored widths", NextWider, "recalibrated", FinalRanking }.ToDictionary(k => k, _ => new List<double>());
                var trainImages = Images(ml, train, model.DenseNetwork);
                foreach (double ratio in Ratios)
                {
                    var sweep = plan.SweepAt(architecture, ratio);
                    using (var denseStatistics = FilterPruner.Prune(model.DenseNetwork, sweep, order: model.FilterOrder).Network)
                    using (var folded = denseStatistics.ForInference())
                    {
                        rows["dense statistics"].Add(Accuracy(ml, model, folded, test));
                    }

                    var nextWider = FilterPruner.Prune(model.DenseNetwork, sweep, order: model.FilterOrder);
                    using (var network = nextWider.Network)
                    {
                        model.WidthStatistics!.Apply(nextWider, interpolate: false);
                        using var folded = network.ForInference();
                        rows[NextWider].Add(Accuracy(ml, model, folded, test));
                    }

                    using (var finalRanking = FilterPruner.Prune(model.DenseNetwork, sweep).Network)
                    {
                        BatchNormCalibration.Recalibrate(finalRanking, trainImages, BatchNormCalibration.DefaultImages, seed: 0);
                        using var folded = finalRanking.ForInference();
                        rows[FinalRanking].Add(Accuracy(ml, model, folded, test));
                    }

                    using var dataFree = model.Prune(sweep);
                    using var recalibrated = model.Prune(sweep, train);
                    rows["stored widths"].Add(ml.MulticlassClassification.Evaluate(dataFree.Transform(test)).MicroAccuracy * 100);
                    rows["recalibrated"].Add(ml.MulticlassClassification.Evaluate(recalibrated.Transform(test)).MicroAccuracy * 100);
                }

                gains.AddRange(rows["stored widths"].Zip(rows["dense statistics"], (a, b) => a - b));
                foreach (var (name, values) in rows)
                {
                    context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {architecture} | {seed} | {name} | {string.Join(" | ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} |"));
                }
            }
        }

        return gains.Average();
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"stored widths {value:+0.00;-0.00} points on average over the dense statistics (data-free)");

    // The test accuracy of a folded network scored the way the model scores (eval mode, batched).
    private static double Accuracy(MLContext ml, ElectrostaticCnnTransformer model, Models.CnnNetwork folded, IDataView test) =>
        NetworkTrainer.Evaluate(folded, Images(ml, test, folded), model.InferenceBatchSize, TorchSharp.torch.CPU) * 100;

    // The images and 0-based labels of an IDX view, for a network's input shape and classes.
    private static ElectrostaticPruning.Data.ImageDataset Images(MLContext ml, IDataView data, Models.CnnNetwork network)
    {
        var view = ml.Data.CreateEnumerable<Row>(data, reuseRowObject: false).ToArray();
        return new ElectrostaticPruning.Data.ImageDataset([.. view.SelectMany(r => r.Features)], [.. view.Select(r => (int)r.Label - 1)], network.InputShape, network.ClassCount);
    }

    private sealed class Row
    {
        [Microsoft.ML.Data.VectorType(784)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }
}
