using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

public sealed class FineTunerTests(TrainedSmallCnnFixture trained) : IClassFixture<TrainedSmallCnnFixture>
{
    [Fact]
    public void TheTrainedSmallCnnIsFarAboveTheTenPercentChanceLevel() =>
        Assert.True(trained.DenseAccuracy > 0.6, $"dense accuracy {trained.DenseAccuracy}");

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
}
