using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Models;

/// <summary>Builds seeded networks and checks the global RNG, so it runs alone (see <see cref="GlobalTorchRngCollection"/>).</summary>
[Collection(GlobalTorchRngCollection.Name)]
public sealed class BatchNormFoldingTests
{
    // One member of every family; the ImageNet ResNets include projection (downsample) shortcuts. They are built at
    // 1/divisor of their default widths (the same modules and code paths), which keeps the test fast.
    public static TheoryData<CnnArchitecture, int, int, int, string> Families => new()
    {
        { CnnArchitecture.SmallCnn, 1, 28, 1, "0.5" },
        { CnnArchitecture.Vgg11, 3, 32, 1, "[0:0.3, 1-7:0.5]" },
        { CnnArchitecture.ResNet20, 3, 32, 1, "[0, 0.5, 0.6, 0.4, 0]" },
        { CnnArchitecture.ResNet18, 3, 64, 4, "[0, 0.5, 0.5, 0.5, 0.5, 0]" },
        { CnnArchitecture.ResNet50, 3, 64, 8, "[0.5, 0.5, 0.5, 0.5, 0.5, 0]" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void TheFoldedNetworkGivesTheEvalOutputsOfTheOriginalDenseAndPruned(CnnArchitecture architecture, int channels, int size, int divisor, string plan) =>
        AssertFoldedGivesTheOriginalOutputs(architecture, channels, size, divisor, plan);

    /// <summary>The invariant behind the theory above, also run in safe mode (see SafeModeTests).</summary>
    internal static void AssertFoldedGivesTheOriginalOutputs(CnnArchitecture architecture, int channels, int size, int divisor, string plan)
    {
        using var scope = NewDisposeScope();
        var shape = new ImageShape(channels, size, size);
        int[] widths = [.. CnnZoo.DefaultWidths(architecture).Select(w => w / divisor)];
        using var dense = TestNetworks.CreateWithRandomBatchNorm(architecture, shape, 10, widths: widths);
        using var pruned = FilterPruner.Prune(dense, PruningPlan.Parse(plan)).Network;
        torch.manual_seed(5);
        var input = randn(4, channels, size, size);

        foreach (var network in new[] { dense, pruned })
        {
            using var folded = network.ForInference();
            var expected = TestNetworks.Predict(network, input);
            var actual = Predict(folded, input);

            // 1e-4 of the output scale: folding changes float32 rounding, and deep random ResNets have logits in the hundreds.
            double difference = (actual - expected).abs().max().item<float>();
            double scale = Math.Max(1.0, expected.abs().max().item<float>());
            Assert.True(difference < 1e-4 * scale, $"{architecture} (widths {string.Join(",", network.Widths)}): max |folded - original| = {difference}, max |original| = {scale}; {ConvolutionKernels.Description}");
            Assert.Equal(network.Widths, folded.Widths);
            Assert.Empty(folded.modules().OfType<BatchNorm2d>());
            Assert.All(folded.ConvLayers, layer => Assert.NotNull(folded.GetConv(layer).bias));
            Assert.All(folded.ConvLayers, layer => Assert.True(ChannelsLast.Is(folded.GetConv(layer).weight)));
            Assert.All(folded.parameters(), parameter => Assert.False(parameter.requires_grad));

            // The same convs without their BatchNorms give clearly different outputs, so the comparison above can fail.
            double batchNormEffect = (PredictWithoutBatchNorm(network, input) - expected).abs().max().item<float>();
            Assert.True(batchNormEffect > 1e-2, $"the BatchNorms changed the outputs by only {batchNormEffect}; the test would be meaningless");
        }
    }

    [Fact]
    public void FoldingLeavesTheOriginalNetworkItsModeAndTheGlobalRngUntouched()
    {
        using var scope = NewDisposeScope();
        using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);
        network.train();
        var before = TestNetworks.Snapshot(network);

        torch.manual_seed(11);
        using var folded = network.ForInference();
        var drawnAfterFolding = randn(8);
        torch.manual_seed(11);
        var drawnWithoutFolding = randn(8);

        Assert.True(TestNetworks.SameState(before, network.state_dict()));
        Assert.True(network.training);
        Assert.False(folded.training);
        Assert.True(drawnAfterFolding.equal(drawnWithoutFolding).all().item<bool>());
        Assert.Equal(network.ConvLayers.Count, network.modules().OfType<BatchNorm2d>().Count());
    }

    [Fact]
    public void OneFilterFoldsToTheHandComputedWeightAndBias()
    {
        using var scope = NewDisposeScope();
        using var batchNorm = nn.BatchNorm2d(1, eps: 1.0);
        using (no_grad())
        {
            batchNorm.weight!.fill_(3.0);
            batchNorm.bias!.fill_(1.0);
            batchNorm.running_mean!.fill_(0.5);
            batchNorm.running_var!.fill_(3.0);
        }

        // s = 3 / sqrt(3 + 1) = 1.5; W' = 2 * 1.5 = 3; b' = 1 + (b - 0.5) * 1.5 = 0.25 without a conv bias, 1.75 with b = 1.
        var (weight, bias) = BatchNormFolding.FoldedWeights(full(1, 1, 1, 1, 2f), null, batchNorm);
        var (_, biasWithConvBias) = BatchNormFolding.FoldedWeights(full(1, 1, 1, 1, 2f), full(1, 1f), batchNorm);

        Assert.Equal(3f, weight.item<float>());
        Assert.Equal(0.25f, bias.item<float>());
        Assert.Equal(1.75f, biasWithConvBias.item<float>());
    }

    [Fact]
    public void AFoldedNetworkCannotBeTrainedPrunedSavedOrFoldedAgain()
    {
        using var scope = NewDisposeScope();
        using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);
        using var folded = network.ForInference();

        var training = Assert.Throws<InvalidOperationException>(() => folded.train());
        Assert.Contains("inference only", training.Message);
        Assert.Contains("folded", Assert.Throws<ArgumentException>(() => FilterPruner.Prune(folded, PruningPlan.Uniform(0.5))).Message);
        Assert.Contains("folded", Assert.Throws<ArgumentException>(() => NetworkSerializer.Save(folded, new MemoryStream())).Message);
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => folded.ForInference()).Message);
        Assert.Contains("has no BatchNorm", Assert.Throws<InvalidOperationException>(() => folded.GetBatchNorm(folded.ConvLayers[0])).Message);
        Assert.False(folded.training);
    }

    [Fact]
    public void TheFoldedNetworkAcceptsChannelsLastInput()
    {
        using var scope = NewDisposeScope();
        using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);
        using var folded = network.ForInference();
        torch.manual_seed(3);
        var input = randn(4, 3, 32, 32);
        var channelsLast = input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

        var expected = TestNetworks.Predict(network, input);
        var actual = Predict(folded, channelsLast);

        Assert.Equal(1, channelsLast.stride(1));
        Assert.True((actual - expected).abs().max().item<float>() < 1e-4);
    }

    private static Tensor Predict(CnnNetwork folded, Tensor input)
    {
        using var mode = inference_mode();
        return folded.call(input).clone();
    }

    // The folded form loaded with the raw conv weights (zero biases): the network as if its BatchNorms were identities.
    private static Tensor PredictWithoutBatchNorm(CnnNetwork network, Tensor input)
    {
        using var raw = CnnZoo.Create(network.Architecture, network.InputShape, network.ClassCount, network.Widths, foldBatchNorm: true);
        using (no_grad())
        {
            foreach (var layer in network.ConvLayers)
            {
                raw.GetConv(layer).weight.copy_(network.GetConv(layer).weight);
                raw.GetConv(layer).bias!.zero_();
            }

            raw.Classifier.weight.copy_(network.Classifier.weight);
            raw.Classifier.bias!.copy_(network.Classifier.bias!);
        }

        raw.eval();
        return Predict(raw, input);
    }
}
