using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Runtime;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

/// <summary>Sandwich training's sub-networks: a sliced pass is the pruned network's pass, and it leaves the full network's statistics alone.</summary>
[Trait("Category", "Slow")]
public sealed class SandwichTrainingTests
{
    private static readonly ImageShape Cifar = new(3, 16, 16);

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, "0.1 rank folded", 0.6, false)]
    [InlineData(CnnArchitecture.SmallCnn, "0.1 rank folded compensate", 0.6, false)]
    [InlineData(CnnArchitecture.ResNet20, "0.1 rank folded compensate", 0.5, false)]
    [InlineData(CnnArchitecture.Vgg11, "0.1", 0.7, false)]
    [InlineData(CnnArchitecture.Vgg11, "0.1 rank folded compensate", 0.7, true)]
    [InlineData(CnnArchitecture.ResNet20, "0.1 rank folded", 0.7, true)]
    public void ASlicedPassComputesWhatThePhysicallyPrunedNetworkComputes(CnnArchitecture architecture, string planText, double ratio, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var (network, sampler, inputs, pruning) = Build(architecture, planText, ratio);
        using var dense = network;
        using var pruned = pruning.Network;
        if (channelsLast)
        {
            network.RouteConvolutionsChannelsLast();
            pruned.RouteConvolutionsChannelsLast();
        }

        network.train();
        pruned.train();
        Tensor sliced;
        using (sampler.SubNetwork(ratio, CPU).Activate())
        {
            sliced = network.forward(inputs);
        }

        var direct = pruned.forward(inputs);
        Assert.Equal(direct.shape, sliced.shape);
        double difference = (sliced - direct).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"sliced vs pruned logits differ by {difference}");
    }

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, "0.1 rank folded", 0.6)]
    [InlineData(CnnArchitecture.ResNet20, "0.1 rank folded compensate", 0.5)]
    [InlineData(CnnArchitecture.Vgg11, "0.1", 0.7)]
    [InlineData(CnnArchitecture.ResNet50, "0.1 rank folded", 0.6)]
    public void ASlicedPassPutsThePrunedNetworksGradientsOnTheKeptWeightsAndZeroOnTheRemovedOnes(CnnArchitecture architecture, string planText, double ratio)
    {
        using var scope = NewDisposeScope();
        var (network, sampler, inputs, pruning) = Build(architecture, planText, ratio);
        using var dense = network;
        using var pruned = pruning.Network;
        network.train();
        pruned.train();
        var upstream = randn([inputs.shape[0], 10]);
        using (sampler.SubNetwork(ratio, CPU).Activate())
        {
            network.forward(inputs).mul(upstream).sum().backward();
        }

        pruned.forward(inputs).mul(upstream).sum().backward();

        // Kept filters of each pruned conv (in the pruned network's order), and the kept input channels of their consumers.
        var keptFilters = pruning.Layers.Where(l => l.IsPruned).ToDictionary(l => l.Layer.Name, l => tensor(l.KeptIndices.Select(i => (long)i).ToArray()));
        var keptInputs = pruning.Layers.Where(l => l.IsPruned)
            .SelectMany(l => network.GetConsumers(l.Layer).Convs.Select(c => (c.Name, Kept: keptFilters[l.Layer.Name])))
            .ToDictionary(c => c.Name, c => c.Kept);
        Assert.NotEmpty(keptFilters);
        foreach (var layer in network.ConvLayers)
        {
            var prunedLayer = pruned.ConvLayers.Single(l => l.Name == layer.Name);
            var full = network.GetConv(layer).weight!.grad!;
            var kept = keptFilters.TryGetValue(layer.Name, out var rows) ? full.index_select(0, rows) : full;
            kept = keptInputs.TryGetValue(layer.Name, out var columns) ? kept.index_select(1, columns) : kept;
            AssertSameGradient(layer.Name, full, kept, pruned.GetConv(prunedLayer).weight!.grad!);
            if (!layer.IsShortcut)
            {
                var gamma = network.GetBatchNorm(layer).weight!.grad!;
                AssertSameGradient($"{layer.Name} BatchNorm", gamma, rows is null ? gamma : gamma.index_select(0, rows), pruned.GetBatchNorm(prunedLayer).weight!.grad!);
            }
        }
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

        using (sampler.SubNetwork(0.7, CPU).Activate())
        {
            network.forward(rand([4, 3, 16, 16]));
        }

        var after = TestModels.Snapshot(network);
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        network.forward(rand([4, 3, 16, 16]));
        Assert.NotEqual(before["bn1.running_mean"], TestModels.Snapshot(network)["bn1.running_mean"]);
    }

    [Fact]
    public void TheSubNetworkWeightScalesTheSubNetworksShareOfTheGradientsAndNothingElse()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);
        var sampler = new SandwichSampler(network, new AnyRatioTrainingOptions(), PruningPlan.Parse("0.5 rank folded compensate"));
        sampler.BeginEpoch();
        network.train();
        var inputs = rand([8, 1, 28, 28]);
        var labels = randint(10, [8]);
        var parameters = network.parameters().ToArray();

        // A zero learning rate keeps the weights, so the three steps see the same network; the gradients stay after the step.
        var optimizer = new MomentumSgd(parameters, 0, 0, 0);
        Tensor[] Gradients(double? subNetworkWeight)
        {
            if (subNetworkWeight is double weight)
            {
                TrainingStep.RunSandwich(network, optimizer, null, [], inputs, labels, [sampler.SubNetwork(0.7, CPU)], 0.5, weight);
            }
            else
            {
                TrainingStep.Run(network, optimizer, null, [], inputs, labels);
            }

            return [.. parameters.Select(p => p.grad!.clone())];
        }

        var full = Gradients(null);
        var equal = Gradients(1);
        var half = Gradients(0.5);

        for (int i = 0; i < parameters.Length; i++)
        {
            // full + 0.5 * (sub-network's share): halfway between the full network's gradient and the sandwich rule's.
            var expected = full[i].Plus(equal[i].sub(full[i]).Times(0.5));
            Assert.True(half[i].allclose(expected, rtol: 1e-4, atol: 1e-6), $"parameter {i}: max difference {half[i].sub(expected).abs().max().item<float>()}");
        }

        Assert.True(equal.Zip(full).Any(g => !g.First.allclose(g.Second)), "the sub-network pass changed no gradient");
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

    // A randomized network of the architecture, its sampler for the plan, an input batch, and the network the paper's sweep
    // at the ratio (with the plan's ranking and compensation) prunes it to.
    private static (CnnNetwork Network, SandwichSampler Sampler, Tensor Inputs, PruningResult Pruning) Build(CnnArchitecture architecture, string planText, double ratio)
    {
        var shape = architecture == CnnArchitecture.SmallCnn ? new ImageShape(1, 28, 28) : Cifar;
        torch.manual_seed(3);
        var network = CnnZoo.Create(architecture, shape, 10);
        Randomize(network);
        var plan = PruningPlan.Parse(planText);
        var sampler = new SandwichSampler(network, new AnyRatioTrainingOptions { MinRatio = 0.1, MaxRatio = ratio }, plan);
        sampler.BeginEpoch();
        var inputs = rand([8, shape.Channels, shape.Height, shape.Width]);
        var sweep = plan.SweepAt(architecture, ratio);
        return (network, sampler, inputs, FilterPruner.Prune(network, sweep));
    }

    // The sliced pass's gradient on the kept entries equals the pruned network's, and every other entry of the full
    // gradient is exactly 0 (its squared norm is the kept entries' norm).
    private static void AssertSameGradient(string name, Tensor full, Tensor kept, Tensor pruned)
    {
        Assert.Equal(pruned.shape, kept.shape);
        double scale = 1 + pruned.abs().max().item<float>();
        double difference = (kept - pruned).abs().max().item<float>();
        Assert.True(difference < 1e-4 * scale, $"{name}: sliced vs pruned gradients differ by {difference} (largest {scale - 1})");
        double keptNorm = kept.to(ScalarType.Float64).square().sum().item<double>(), fullNorm = full.to(ScalarType.Float64).square().sum().item<double>();
        Assert.True(Math.Abs(fullNorm - keptNorm) <= 1e-9 * fullNorm, $"{name}: the removed entries' gradient has squared norm {fullNorm - keptNorm}, expected 0");
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
