using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

public sealed class DeterminismProbe(ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        var train = TestData.FashionMnist(train: true, 1000);
        var snaps = new List<Dictionary<string, float[]>>();
        for (int run = 0; run < 3; run++)
        {
            manual_seed(1);
            using var model = new TestCnn(1, 28, 28, 10);
            var options = new TrainingOptions { Epochs = 1, BatchSize = 64, Schedule = LearningRateSchedule.Constant(0.05), Regularizer = run == 1 ? RegularizerKind.ElectrostaticForce : RegularizerKind.None, Alpha = 1e-12, Seed = 1, Device = TrainingDevice.Cpu };
            var h = new NetworkTrainer().Train(model, model.ConvWeights, train, null, options);
            snaps.Add(model.Snapshot());
            output.WriteLine($"run {run} loss {h[0].Loss:R}");
        }
        foreach (var k in snaps[0].Keys)
        {
            double d1 = snaps[0][k].Zip(snaps[1][k]).Max(p => Math.Abs(p.First - p.Second));
            double d2 = snaps[0][k].Zip(snaps[2][k]).Max(p => Math.Abs(p.First - p.Second));
            output.WriteLine($"{k} {d1:G3} {d2:G3}");
        }
    }
}
