using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

public sealed class FashionMnistLearningTests(ITestOutputHelper output)
{
    private static double RepelledToAttracted(TestCnn model) =>
        model.ConvWeights.Select(w => ElectrostaticForce.Statistics(w))
            .Average(s => s.MeanL1Norm(FilterRole.Repelled) / s.MeanL1Norm(FilterRole.Attracted));

    [Fact]
    public void Explore()
    {
        var train = TestData.FashionMnist(train: true, 6000);
        var test = TestData.FashionMnist(train: false, 2000);
        foreach (var (kind, alpha) in new[] { (RegularizerKind.ElectrostaticForce, 1e-12), (RegularizerKind.None, 0.0), (RegularizerKind.ElectrostaticForce, 1e-13), (RegularizerKind.ElectrostaticForce, 1e-14), (RegularizerKind.ElectrostaticForce, 3e-13) })
        {
            manual_seed(1);
            using var model = new TestCnn(1, 28, 28, 10);
            double before = RepelledToAttracted(model);
            var options = new TrainingOptions { Epochs = 2, BatchSize = 64, Schedule = LearningRateSchedule.Constant(0.05), Regularizer = kind, Alpha = alpha, Seed = 1, Device = TrainingDevice.Cpu };
            var start = DateTime.UtcNow;
            var history = new NetworkTrainer().Train(model, model.ConvWeights, train, null, options);
            double accuracy = NetworkTrainer.Evaluate(model, test, 256, CPU);
            output.WriteLine($"{kind} {alpha}: acc {accuracy:F4} ratio {before:F3} -> {RepelledToAttracted(model):F3} penalty {history[^1].Penalty:G3} loss {history[^1].Loss:F3} {(DateTime.UtcNow - start).TotalSeconds:F1}s threads {get_num_threads()}");
            foreach (var w in model.ConvWeights)
            {
                var s = ElectrostaticForce.Statistics(w);
                output.WriteLine($"   rep {s.RepelledCount} {s.MeanL1Norm(FilterRole.Repelled):F3} att {s.AttractedCount} {s.MeanL1Norm(FilterRole.Attracted):F3} src {s.L1Norms[s.SourceIndex]:F3}");
            }
        }
    }
}
