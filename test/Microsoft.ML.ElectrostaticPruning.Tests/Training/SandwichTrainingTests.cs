using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Runtime;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

/// <summary>Sandwich training's sub-networks: a masked pass is the pruned network's pass, and it leaves the full network's statistics alone.</summary>
[Trait("Category", "Slow")]
public sealed class SandwichTrainingTests
{
    private static readonly ImageShape Cifar = new(3, 16, 16);

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, "0.1 rank folded", 0.6)]
    [InlineData(CnnArchitecture.SmallCnn, "0.1 rank folded compensate", 0.6)]
    [InlineData(CnnArchitecture.ResNet20, "0.1 rank folded compensate", 0.5)]
    [InlineData(CnnArchitecture.Vgg11, "0.1", 0.7)]
    public void AMaskedPassComputesWhatThePhysicallyPrunedNetworkComputes(CnnArchitecture architecture, string planText, double ratio)
    {
        using var scope = NewDisposeScope();
        var shape = architecture == CnnArchitecture.SmallCnn ? new ImageShape(1, 28, 28) : Cifar;
        torch.manual_seed(3);
        using var network = CnnZoo.Create(architecture, shape, 10);
        Randomize(network);
        var plan = PruningPlan.Parse(planText);
        var sampler = new SandwichSampler(network, new AnyRatioTrainingOptions { MinRatio = 0.1, MaxRatio = ratio }, plan);
        sampler.BeginEpoch();
        var inputs = rand([8, shape.Channels, shape.Height, shape.Width]);
        var sweep = PruningPlan.PaperSweep(architecture, ratio).WithRanking(plan.Ranking).WithCompensation(plan.Compensate);
        using var pruned = FilterPruner.Prune(network, sweep).Network;

        network.train();
        pruned.train();
        Tensor masked;
        using (ChannelMasks.Apply(sampler.Masks(ratio, CPU)))
        {
            masked = network.forward(inputs);
        }

        var direct = pruned.forward(inputs);
        double difference = (masked - direct).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"masked vs pruned logits differ by {difference}");
    }

    [Fact]
    public void ASubNetworkPassUpdatesNoRunningStatisticsAndNoCounter()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var network = CnnZoo.Create(CnnArchitecture.ResNet20, Cifar, 10);
        var sampler = new SandwichSampler(network, new AnyRatioTrainingOptions(), PruningPlan.Parse("0.1 rank folded"));
        sampler.BeginEpoch();
        network.train();
        var before = TestModels.Snapshot(network);

        using (ChannelMasks.Apply(sampler.Masks(0.7, CPU)))
        {
            network.forward(rand([4, 3, 16, 16]));
        }

        var after = TestModels.Snapshot(network);
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        network.forward(rand([4, 3, 16, 16]));
        Assert.NotEqual(before["bn1.running_mean"], TestModels.Snapshot(network)["bn1.running_mean"]);
    }

    [Fact]
    public void SubNetworksJoinHalfWayFromRandomWeightsAndFromTheFirstEpochOfAWarmStart()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 96);
        ElectrostaticCnnTransformer Fit(AnyRatioTrainingOptions? anyRatio, ElectrostaticCnnTransformer? initial = null)
        {
            // No force: the full network's per-epoch loss then changes only where sub-network gradients join its steps.
            var options = SmallTrainerOptions.Create();
            options.Epochs = 2;
            options.Regularizer = null;
            options.AnyRatio = anyRatio;
            var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options);
            return initial is null ? trainer.Fit(train) : trainer.Fit(train, initial);
        }

        using var plain = Fit(null);
        using var halfWay = Fit(new AnyRatioTrainingOptions());
        using var fromStart = Fit(new AnyRatioTrainingOptions { StartEpoch = 0 });
        using var warm = Fit(new AnyRatioTrainingOptions(), plain);
        using var warmPlain = Fit(null, plain);

        Assert.Equal(plain.Summary.Training[0].Loss, halfWay.Summary.Training[0].Loss);
        Assert.NotEqual(plain.Summary.Training[1].Loss, halfWay.Summary.Training[1].Loss);
        Assert.NotEqual(plain.Summary.Training[0].Loss, fromStart.Summary.Training[0].Loss);
        Assert.NotEqual(warmPlain.Summary.Training[0].Loss, warm.Summary.Training[0].Loss);
        Assert.Contains("any-ratio sandwich training 0.1-0.7 (1 sub-network per step, distillation 0.5, from epoch 1)", halfWay.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.Contains("any-ratio sandwich training 0.1-0.7 (1 sub-network per step, distillation 0.5),", warm.Summary.TrainingOptions, StringComparison.Ordinal);
    }

    // Random BatchNorm affine parameters and statistics, so that the comparison sees scales, shifts and compensation.
    private static void Randomize(CnnNetwork network)
    {
        using var noGrad = no_grad();
        foreach (var batchNorm in network.modules().OfType<TorchSharp.Modules.BatchNorm2d>())
        {
            batchNorm.weight!.copy_(rand_like(batchNorm.weight!).PlusInPlace(rand_like(batchNorm.weight!)));
            batchNorm.bias!.copy_(randn_like(batchNorm.bias!));
            batchNorm.running_mean!.copy_(randn_like(batchNorm.running_mean!));
            batchNorm.running_var!.copy_(rand_like(batchNorm.running_var!).PlusInPlace(rand_like(batchNorm.running_var!)));
        }
    }
}
