using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Runtime;
using Microsoft.ML.ElectrostaticPruning.Tests.Models;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Training;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

/// <summary>
/// The invariants of pruning, folding and training with safe mode forced on, whatever the machine. Forcing a mode is
/// process-wide, so these tests run alone (see <see cref="GlobalTorchRngCollection"/>) and restore the mode after each.
/// </summary>
[Trait("Category", "Slow")]
[Collection(GlobalTorchRngCollection.Name)]
public sealed class SafeModeTests
{
    public static TheoryData<CnnArchitecture, int, int, string> PruningFamilies => FilterPrunerTests.Families;

    public static TheoryData<CnnArchitecture, int, int, int, string> FoldingFamilies => BatchNormFoldingTests.Families;

    [Theory]
    [MemberData(nameof(PruningFamilies))]
    public void InSafeModeThePrunedNetworkEqualsTheMaskedDenseNetwork(CnnArchitecture architecture, int channels, int size, string plan)
    {
        using var mode = new ForcedConvolutionMode(ConvolutionKernelMode.ChannelsLast);
        FilterPrunerTests.AssertPrunedEqualsMasked(architecture, channels, size, plan);
    }

    [Theory]
    [MemberData(nameof(FoldingFamilies))]
    public void InSafeModeTheFoldedNetworkGivesTheOriginalOutputs(CnnArchitecture architecture, int channels, int size, int divisor, string plan)
    {
        using var mode = new ForcedConvolutionMode(ConvolutionKernelMode.ChannelsLast);
        BatchNormFoldingTests.AssertFoldedGivesTheOriginalOutputs(architecture, channels, size, divisor, plan);
    }

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, 1, 28)]
    [InlineData(CnnArchitecture.Vgg11, 3, 32)]
    [InlineData(CnnArchitecture.ResNet20, 3, 32)]
    [InlineData(CnnArchitecture.ResNet50, 3, 64)]
    public void InSafeModeSpatialConvsRunChannelsLastAndPointwiseConvsNchwInTrainableAndFoldedNetworks(CnnArchitecture architecture, int channels, int size)
    {
        using var mode = new ForcedConvolutionMode(ConvolutionKernelMode.ChannelsLast);
        using var scope = NewDisposeScope();
        using var network = CnnZoo.Create(architecture, new ImageShape(channels, size, size), 10);
        network.eval();
        using var folded = network.ForInference();

        foreach (var model in new[] { network, folded })
        {
            var layouts = new List<(bool Pointwise, bool ChannelsLastInput, bool ContiguousInput)>();
            var convs = model.modules().OfType<Conv2d>().ToList();
            foreach (var conv in convs)
            {
                // Registered after the safe-mode hook, so it sees the input that the conv receives.
                conv.register_forward_pre_hook((_, input) =>
                {
                    layouts.Add((CnnNetwork.IsPointwise(conv), ChannelsLast.Is(input), input.is_contiguous()));
                    return input;
                });
            }

            using (no_grad())
            {
                model.call(randn(2, channels, size, size));
            }

            Assert.True(model.RoutesConvolutionsChannelsLast);
            Assert.Equal(convs.Count, layouts.Count);
            Assert.All(layouts.Where(l => !l.Pointwise), l => Assert.True(l.ChannelsLastInput));
            Assert.All(layouts.Where(l => l.Pointwise), l => Assert.True(l.ContiguousInput));
        }
    }

    [Fact]
    public void InSafeModeTwoTrainingRunsWithTheSameSeedEndWithIdenticalWeightsAtOddWidths()
    {
        using var mode = new ForcedConvolutionMode(ConvolutionKernelMode.ChannelsLast);
        var data = TestData.Synthetic(96);
        var shape = new ImageShape(1, 8, 8);
        using var first = TestModels.SmallCnn(shape, 3, 22, 38, seed: 4);
        using var second = TestModels.SmallCnn(shape, 3, 22, 38, seed: 4);
        var before = TestModels.Snapshot(first);

        foreach (var model in new[] { first, second })
        {
            new NetworkTrainer().Train(model, TestModels.ConvWeights(model), data, null, new TrainingOptions
            {
                Epochs = 2,
                BatchSize = 16,
                Schedule = LearningRateSchedule.Parse("0:0.05"),
                Regularizer = new ElectrostaticForceRegularizer.Options { ForceRate = 1e-12 },
                Seed = 5,
                Device = TrainingDevice.Cpu,
            });
        }

        Assert.True(first.RoutesConvolutionsChannelsLast);
        var a = TestModels.Snapshot(first);
        var b = TestModels.Snapshot(second);
        Assert.All(a, kv => Assert.True(kv.Value.SequenceEqual(b[kv.Key]), $"{kv.Key} differs between two same-seed runs; {ConvolutionKernels.Description}"));
        Assert.False(a["conv1.weight"].SequenceEqual(before["conv1.weight"]));
    }

    [Fact]
    public void ForcingAModeIsVisibleAndRestoringItReturnsToTheAutomaticChoice()
    {
        var automatic = ConvolutionKernels.Mode;
        using (new ForcedConvolutionMode(ConvolutionKernelMode.ChannelsLast))
        {
            Assert.Equal(ConvolutionKernelMode.ChannelsLast, ConvolutionKernels.Mode);
            Assert.Equal(ConvolutionKernelMode.ChannelsLast, ConvolutionKernels.ForcedMode);
            Assert.Contains("channels-last (safe mode) (forced by ConvolutionKernels.ForcedMode", ConvolutionKernels.Description);
        }

        Assert.Equal(automatic, ConvolutionKernels.Mode);
        Assert.Null(ConvolutionKernels.ForcedMode);
    }

    [Fact]
    public void TheProbeMeasuresTinyErrorsOnCorrectKernelsAndLeavesTheGlobalRngAlone()
    {
        torch.manual_seed(42);
        var expected = randn(4);
        torch.manual_seed(42);
        double error = ConvolutionProbe.SafeModeWorstRelativeError();
        var drawn = randn(4);

        Assert.InRange(error, 0, ConvolutionKernelCheck.Tolerance);
        Assert.True(error > 0, "float32 against float64 is never exact; an error of 0 would mean the probe compares a tensor with itself");
        Assert.True(drawn.equal(expected).all().item<bool>());
    }
}
