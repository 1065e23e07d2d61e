using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// Scoring 10,000 Fashion-MNIST test images (full t10k set from /usr/share/datasets/fashion-mnist, read with the IDX reader)
/// through <c>model.Transform</c> + <c>MulticlassClassification.Evaluate</c>, against calling the same TorchSharp network
/// directly on the same batches (tensor from a ready float array, forward, arg-max, accuracy). Both run in one process,
/// interleaved in alternating order; the ratio is ML.NET throughput / direct throughput (= direct time / ML.NET time).
/// The model is a SmallCnn trained for one epoch on the embedded training subset and pruned at 0.5 (what it scores with).
/// Options: --quick (fewer repetitions), --architecture NAME (another zoo network), --threads N (libtorch threads).
/// </summary>
internal sealed class TransformThroughputBenchmark : IBenchmark
{
    private const string FullDataFolder = "/usr/share/datasets/fashion-mnist";

    public string Name => "transform-throughput";

    public string Description => "10,000 images: model.Transform + Evaluate vs direct TorchSharp calls on the same batches; ratio = ML.NET / direct throughput, goal >= 0.9";

    public double Run(BenchmarkContext context)
    {
        var output = context.Output;
        var c = CultureInfo.InvariantCulture;
        if (context.Option("--threads") is { } threads)
        {
            torch.set_num_threads(int.Parse(threads, c));
        }

        var architecture = context.Option("--architecture") is { } name ? Enum.Parse<CnnArchitecture>(name, ignoreCase: true) : CnnArchitecture.SmallCnn;
        int warmup = context.Quick ? 1 : 3, repetitions = context.Quick ? 5 : 15;

        var (testImages, testLabels) = DataFiles("t10k");
        var ml = new MLContext(seed: 1);
        var test = ml.Data.LoadFromIdxFiles(testImages, testLabels, KnownClassNames.FashionMnist);
        var (trainImages, trainLabels) = EmbeddedFiles("train");
        var train = ml.Data.LoadFromIdxFiles(trainImages, trainLabels, KnownClassNames.FashionMnist);

        var fit = Stopwatch.StartNew();
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options
        {
            Architecture = architecture,
            Epochs = 1,
            BatchSize = 64,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            Seed = 1,
            Device = TrainingDevice.Cpu,
        }).Fit(train);
        output.WriteLine(string.Create(c, $"model: {architecture} trained 1 epoch on {train.GetRowCount()} images in {fit.Elapsed.TotalSeconds:F1} s, pruned {model.PruningPlan}: {model.Summary.Pruned} (speedup {model.Summary.Speedup:F2}x)"));

        // The direct path gets the same images, already as float batches of the transformer's inference batch size.
        // The transformer scores with the BatchNorm-folded form, so the direct path gets the same network.
        var direct = new DirectScorer(model.Network.ForInference(), testImages, testLabels, model.InferenceBatchSize);
        output.WriteLine(string.Create(c, $"data: {direct.Count} images of {model.Summary.InputShape} from {Path.GetDirectoryName(testImages)}, batches of {model.InferenceBatchSize}, libtorch threads {torch.get_num_threads()}"));
        output.WriteLine(string.Create(c, $"{warmup} warm-ups, median of {repetitions} repetitions, order alternating"));

        double mlnetAccuracy = 0, directAccuracy = 0;
        var times = MedianSeconds(
            [
                () => mlnetAccuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy,
                () => directAccuracy = direct.Accuracy(),
            ],
            warmup,
            repetitions);

        double mlnetRate = direct.Count / times[0], directRate = direct.Count / times[1];
        output.WriteLine(string.Create(c, $"{"path",-34} {"seconds",8} {"images/s",10} {"accuracy",9}"));
        output.WriteLine(string.Create(c, $"{"ML.NET Transform + Evaluate",-34} {times[0],8:F3} {mlnetRate,10:F0} {mlnetAccuracy,9:F4}"));
        output.WriteLine(string.Create(c, $"{"direct TorchSharp forward + argmax",-34} {times[1],8:F3} {directRate,10:F0} {directAccuracy,9:F4}"));
        if (Math.Abs(mlnetAccuracy - directAccuracy) > 1e-9)
        {
            throw new InvalidOperationException($"The two paths disagree: ML.NET accuracy {mlnetAccuracy}, direct {directAccuracy}.");
        }

        return mlnetRate / directRate;
    }

    /// <summary>Median seconds of each action; every repetition runs all actions, in an order that alternates.</summary>
    private static double[] MedianSeconds(Action[] actions, int warmup, int repetitions)
    {
        for (int i = 0; i < warmup; i++)
        {
            Array.ForEach(actions, a => a());
        }

        var samples = actions.Select(_ => new double[repetitions]).ToArray();
        for (int r = 0; r < repetitions; r++)
        {
            for (int k = 0; k < actions.Length; k++)
            {
                int index = r % 2 == 0 ? k : actions.Length - 1 - k;
                long start = Stopwatch.GetTimestamp();
                actions[index]();
                samples[index][r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }

        return samples.Select(s => s.Order().ElementAt(repetitions / 2)).ToArray();
    }

    private static (string Images, string Labels) DataFiles(string split)
    {
        string images = Path.Combine(FullDataFolder, $"{split}-images-idx3-ubyte.gz");
        string labels = Path.Combine(FullDataFolder, $"{split}-labels-idx1-ubyte.gz");
        if (File.Exists(images) && File.Exists(labels))
        {
            return (images, labels);
        }

        Console.Error.WriteLine($"{FullDataFolder} not found (apt-get install dataset-fashion-mnist); using the embedded subset instead.");
        return EmbeddedFiles(split);
    }

    private static (string Images, string Labels) EmbeddedFiles(string split)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string folder = Path.Combine(dir.FullName, "data", "fashion-mnist");
            if (Directory.Exists(folder))
            {
                return (Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz"));
            }
        }

        throw new DirectoryNotFoundException("data/fashion-mnist not found above the benchmark's folder.");
    }

    /// <summary>What a user calling TorchSharp directly would write: ready float batches, forward, arg-max, count hits.</summary>
    private sealed class DirectScorer
    {
        private readonly CnnNetwork _network;
        private readonly List<(float[] Pixels, long[] Labels, long[] Shape)> _batches = [];

        public DirectScorer(CnnNetwork network, string images, string labels, int batchSize)
        {
            _network = network;
            var (count, height, width, pixels) = IdxFile.ReadImages(images);
            byte[] classes = IdxFile.ReadLabels(labels);
            int size = height * width;
            for (int start = 0; start < count; start += batchSize)
            {
                int n = Math.Min(batchSize, count - start);
                var batch = new float[n * size];
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i] = pixels[(start * size) + i] * (1f / 255);
                }

                _batches.Add((batch, classes.AsSpan(start, n).ToArray().Select(b => (long)b).ToArray(), [n, 1, height, width]));
            }

            Count = count;
        }

        public int Count { get; }

        public double Accuracy()
        {
            _network.eval();
            long correct = 0;
            foreach (var (pixels, labels, shape) in _batches)
            {
                using var scope = NewDisposeScope();
                using var inference = inference_mode();
                var predicted = _network.call(tensor(pixels, shape)).argmax(1);
                correct += predicted.eq(tensor(labels)).sum().item<long>();
            }

            return (double)correct / Count;
        }
    }
}
