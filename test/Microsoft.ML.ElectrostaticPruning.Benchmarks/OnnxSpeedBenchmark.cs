using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Onnx;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// CPU inference of the exported ONNX graphs in ONNX Runtime next to the same BatchNorm-folded networks in TorchSharp,
/// dense and pruned, batch 1 and 64 of 3x32x32 images, side by side in one run: VGG-19/CIFAR-100 at [0:0, 1-15:0.65]
/// and ResNet-56/CIFAR-10 at [0, 0.52, 0.52, 0.52, 0]. Both runtimes compute class probabilities (softmax) from the
/// same input array with the same number of intra-op threads; every repetition runs all variants of a network in a
/// rotating order and medians are compared. The models are exported with <c>mlContext.Model.ExportToOnnx</c> (opset 13)
/// from ElectrostaticCnn transformers over random (untrained) networks with random BatchNorm statistics. The final line
/// is the largest absolute probability difference between the two runtimes over all networks and batches.
/// Options: --quick (fewer repetitions), --threads N (both runtimes).
/// </summary>
internal sealed class OnnxSpeedBenchmark : IBenchmark
{
    public string Name => "onnx-speed";

    public string Description => "ONNX Runtime CPU vs TorchSharp on the exported dense and pruned VGG-19 and ResNet-56 (batch 1 and 64); final line: max |probability difference|";

    public double Run(BenchmarkContext context)
    {
        var output = context.Output;
        int index = context.Arguments.ToList().IndexOf("--threads");
        if (index >= 0 && index + 1 < context.Arguments.Count && int.TryParse(context.Arguments[index + 1], CultureInfo.InvariantCulture, out int threads) && threads > 0)
        {
            torch.set_num_threads(threads);
        }

        int intraOp = torch.get_num_threads();
        int repetitions = context.Quick ? 5 : 21;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threads: libtorch {intraOp}, ONNX Runtime intra-op {intraOp} (inter-op 1, sequential); ONNX Runtime {OrtEnv.Instance().GetVersionString()}, graph optimizations all; median of {repetitions} interleaved repetitions (batch 1: x20 calls each)"));
        output.WriteLine($"{"network",-38} {"batch",5} {"torch ms",9} {"onnx ms",9} {"onnx/torch",10} {"max |dp|",9}");

        double parity = 0;
        parity = Math.Max(parity, Compare(output, "VGG-19/CIFAR-100", CnnArchitecture.Vgg19, 100, "[0:0, 1-15:0.65]", intraOp, repetitions));
        parity = Math.Max(parity, Compare(output, "ResNet-56/CIFAR-10", CnnArchitecture.ResNet56, 10, "[0, 0.52, 0.52, 0.52, 0]", intraOp, repetitions));
        output.WriteLine("dense -> pruned speedups are per runtime; onnx/torch < 1 means ONNX Runtime is faster");
        return parity;
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"parity {value:G3}");

    // Returns the largest |probability difference| over the four variants (dense/pruned x batch 1/64).
    private static double Compare(TextWriter output, string label, CnnArchitecture architecture, int classes, string plan, int threads, int repetitions)
    {
        var shape = new ImageShape(3, 32, 32);
        var ml = new MLContext(seed: 1);
        var schema = Schema(shape, classes);
        torch.manual_seed(0);
        var network = CnnZoo.Create(architecture, shape, classes);
        TestSupport.RandomBatchNorm.Apply(network);
        var random = new Random(3);
        float[] images = [.. Enumerable.Range(0, 64 * shape.Size).Select(_ => (float)random.NextDouble())];
        CalibrateLogits(network, images, shape);
        using var dense = new ElectrostaticCnnTransformer(
            (IHostEnvironment)ml, new SharedNetwork(network), network.Copy(), PruningPlan.Uniform(0), ClassLabels.FromLabelColumn(schema["Label"]),
            new ScoringColumns("Features", "Score", "PredictedLabel"), new TrainingHistory(), new TrainingHistory(), string.Empty, 64);
        using var pruned = dense.Prune(PruningPlan.Parse(plan));

        double parity = 0;
        var rows = new List<(string Name, int Batch, double Torch, double Onnx)>();
        foreach (var (name, model) in new[] { ("dense", dense), ($"pruned {plan}", pruned) })
        {
            using var folded = model.Network.ForInference();
            using var session = Session(ml, model, schema, threads);
            foreach (int batch in new[] { 1, 64 })
            {
                float[] input = images[..(batch * shape.Size)];
                using var x = tensor(input, [batch, shape.Channels, shape.Height, shape.Width]);
                var onnxInput = new[] { NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(input, [batch, shape.Size])) };
                string[] outputs = ["Score.output"];
                int calls = batch == 1 ? 20 : 1;

                float[] torchScores = TorchScores(folded, x);
                float[] onnxScores;
                using (var results = session.Run(onnxInput, outputs))
                {
                    onnxScores = [.. results[0].AsTensor<float>()];
                }

                double difference = torchScores.Zip(onnxScores, (a, b) => Math.Abs((double)a - b)).Max();
                parity = Math.Max(parity, difference);

                var (torchSeconds, onnxSeconds) = Measure(
                    () =>
                    {
                        for (int i = 0; i < calls; i++)
                        {
                            TorchScores(folded, x);
                        }
                    },
                    () =>
                    {
                        for (int i = 0; i < calls; i++)
                        {
                            using var results = session.Run(onnxInput, outputs);
                        }
                    },
                    repetitions);
                rows.Add((name, batch, torchSeconds / calls, onnxSeconds / calls));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{$"{label} {name}",-38} {batch,5} {torchSeconds / calls * 1e3,9:F2} {onnxSeconds / calls * 1e3,9:F2} {onnxSeconds / torchSeconds,10:F2} {difference,9:G3}"));
            }
        }

        foreach (int batch in new[] { 1, 64 })
        {
            var d = rows.First(r => r.Batch == batch);
            var p = rows.Last(r => r.Batch == batch);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label} batch {batch}: dense -> pruned {d.Torch / p.Torch:F2}x in TorchSharp, {d.Onnx / p.Onnx:F2}x in ONNX Runtime; FLOPs {pruned.Summary.Speedup:F2}x"));
        }

        return parity;
    }

    private static InferenceSession Session(MLContext ml, ElectrostaticCnnTransformer model, DataViewSchema schema, int threads)
    {
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, schema, stream, opSetVersion: 13, "Score", "PredictedLabel");
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(stream.ToArray(), options);
    }

    private static float[] TorchScores(CnnNetwork folded, torch.Tensor x)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        return nn.functional.softmax(folded.call(x), 1).data<float>().ToArray();
    }

    // Warm-up, then each repetition times both runtimes, alternating which goes first; returns the medians.
    private static (double Torch, double Onnx) Measure(Action torchRun, Action onnxRun, int repetitions)
    {
        torchRun();
        onnxRun();
        torchRun();
        onnxRun();
        var torchTimes = new double[repetitions];
        var onnxTimes = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            if (i % 2 == 0)
            {
                torchTimes[i] = Time(torchRun);
                onnxTimes[i] = Time(onnxRun);
            }
            else
            {
                onnxTimes[i] = Time(onnxRun);
                torchTimes[i] = Time(torchRun);
            }
        }

        return (BenchmarkContext.Median(torchTimes), BenchmarkContext.Median(onnxTimes));
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static DataViewSchema Schema(ImageShape shape, int classes)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, shape.Size));
        builder.AddColumn("Label", new KeyDataViewType(typeof(uint), classes));
        return builder.ToSchema();
    }

    // Random networks give logits of arbitrary scale (near-uniform or one-hot probabilities, where a probability
    // comparison shows nothing): scale the classifier so the logits have a standard deviation of 3 on the images.
    private static void CalibrateLogits(CnnNetwork network, float[] images, ImageShape shape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var folded = network.ForInference();
        var logits = folded.call(tensor(images, [images.Length / shape.Size, shape.Channels, shape.Height, shape.Width]));
        double std = logits.std().item<float>();
        network.Classifier.weight.mul_(3.0 / Math.Max(std, 1e-6));
        network.Classifier.bias!.zero_();
    }
}
