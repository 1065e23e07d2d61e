using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

public sealed class PruningSweepTests(TrainedSmallCnnFixture trained) : IClassFixture<TrainedSmallCnnFixture>
{
    [Fact]
    public void TheTrainedSmallCnnIsFarAboveTheTenPercentChanceLevel() =>
        Assert.True(trained.DenseAccuracy > 0.6, $"dense accuracy {trained.DenseAccuracy}");

    [Fact]
    public void SweepReportsCostAndAccuracyPerRatioWithoutTouchingTheDenseNetwork()
    {
        var before = TestNetworks.Snapshot(trained.Network);
        var reported = new List<PruningSweepRow>();

        var rows = PruningSweep.Run(trained.Network, trained.Test, [0, 0.5, 0.9], progress: new SynchronousProgress<PruningSweepRow>(reported.Add));

        Assert.Equal([0, 0.5, 0.9], rows.Select(r => r.Ratio));
        Assert.Equal(rows, reported);
        Assert.Equal(trained.DenseAccuracy, rows[0].Top1Accuracy);
        Assert.Equal(1.0, rows[0].Speedup);
        Assert.Equal(50_090, rows[0].Parameters);
        // 0.5: conv1 32 -> 16, conv2 64 -> 32: 144 + 4,608 + 32*49*10 + 10 parameters.
        Assert.Equal(144 + 4_608 + 15_680 + 10, rows[1].Parameters);
        Assert.True(rows[2].Speedup > rows[1].Speedup && rows[1].Speedup > 1);
        Assert.True(rows[2].Top1Accuracy < rows[0].Top1Accuracy);
        Assert.True(TestNetworks.SameState(before, trained.Network.state_dict()));
    }

    [Fact]
    public void PaperPlanKeepsTheFirstVggConvAndPrunesEveryOtherConv()
    {
        using var vgg = CnnZoo.Create(CnnArchitecture.Vgg19, new ImageShape(3, 32, 32), 100);
        using var resnet = CnnZoo.Create(CnnArchitecture.ResNet56, new ImageShape(3, 32, 32), 10);

        Assert.Equal("[0:0, 1-15:0.65]", PruningSweep.PaperPlan(vgg, 0.65).ToString());
        Assert.Equal(
            PruningPlan.Parse("[0, 0.3, 0.3, 0.3, 0]").LayersToPrune(resnet),
            PruningSweep.PaperPlan(resnet, 0.3).LayersToPrune(resnet));
    }

    [Fact]
    public void AnEvaluationSetOfAnotherShapeIsRejected()
    {
        using var cifar = CnnZoo.Create(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);

        var error = Assert.Throws<ArgumentException>(() => PruningSweep.Run(cifar, trained.Test));

        Assert.Contains("1x28x28 images of 10 classes, but the ResNet20 was built for 3x32x32 images", error.Message);
    }

    [Fact]
    public void FineTuningRecoversAccuracyLostByPruning()
    {
        var result = FilterPruner.Prune(trained.Network, PruningPlan.Uniform(0.8));
        using var pruned = result.Network;
        double before = NetworkTrainer.Evaluate(pruned, trained.Test, 256, torch.CPU);

        var history = FineTuner.FineTune(pruned, trained.Train, trained.Test, FineTuner.PaperOptions(epochs: 1, batchSize: 64));

        Assert.Equal(0.01, history[0].LearningRate);
        Assert.True(history[0].ValidationAccuracy > before + 0.02, $"before {before}, after {history[0].ValidationAccuracy}");
    }

    [Fact]
    public void PaperFineTuningOptionsAreSgdWithMomentumWeightDecayAndP2()
    {
        var options = FineTuner.PaperOptions(epochs: 30);

        Assert.Equal((30, 0.9, 5e-4, RegularizerKind.None), (options.Epochs, options.Momentum, options.WeightDecay, options.Regularizer));
        Assert.Equal(LearningRateSchedule.P2.ToString(), options.Schedule.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => FineTuner.PaperOptions(epochs: 0));
    }

    [Fact]
    public void FineTuningWithAPruningRegularizerIsRejected()
    {
        var options = FineTuner.PaperOptions(1);
        options.Regularizer = RegularizerKind.L1;

        var error = Assert.Throws<ArgumentException>(() => FineTuner.FineTune(trained.Network, trained.Train, null, options));

        Assert.Contains("set Regularizer = None", error.Message);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
