using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Models;

/// <summary>The per-channel input normalization of <see cref="CnnNetwork"/>, and that every copy of a network keeps it.</summary>
public sealed class InputNormalizationTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn)]
    [InlineData(CnnArchitecture.ResNet20)]
    [InlineData(CnnArchitecture.Vgg11)]
    [InlineData(CnnArchitecture.ResNet18)]
    public void TheNetworkNormalizesItsInputAsTorchvisionsNormalizeDoes(CnnArchitecture architecture)
    {
        using var scope = NewDisposeScope();
        using var network = TestNetworks.CreateWithRandomBatchNorm(architecture, Cifar, 10);
        torch.manual_seed(4);
        var input = rand(3, 3, 32, 32);
        var normalized = input.sub(tensor(new[] { 0.485f, 0.456f, 0.406f }).view(1, 3, 1, 1)).div(tensor(new[] { 0.229f, 0.224f, 0.225f }).view(1, 3, 1, 1));
        var plain = TestNetworks.Predict(network, input);
        var onNormalized = TestNetworks.Predict(network, normalized);

        network.InputNormalization = InputNormalization.ImageNet;
        var applied = TestNetworks.Predict(network, input);

        Assert.True(applied.equal(onNormalized).all().item<bool>(), "the same float32 ops, so the same bits");
        Assert.True((applied - plain).abs().max().item<float>() > 1e-2, "normalization changes the outputs");
    }

    [Fact]
    public void TheIdentityNormalizationGivesBitIdenticalOutputsAndNoneIsTheDefault()
    {
        using var scope = NewDisposeScope();
        using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Cifar, 10);
        torch.manual_seed(4);
        var input = randn(3, 3, 32, 32);
        Assert.Null(network.InputNormalization);
        var plain = TestNetworks.Predict(network, input);

        network.InputNormalization = new InputNormalization([0f, 0f, 0f], [1f, 1f, 1f]);

        Assert.True(TestNetworks.Predict(network, input).equal(plain).all().item<bool>());
    }

    [Fact]
    public void CopyFoldingPruningAndSavingKeepIt()
    {
        using var scope = NewDisposeScope();
        using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, Cifar, 10);
        var normalization = new InputNormalization([0.5f, 0.25f, 0.125f], [0.2f, 0.3f, 0.4f]);
        network.InputNormalization = normalization;
        torch.manual_seed(4);
        var input = rand(3, 3, 32, 32);
        var expected = TestNetworks.Predict(network, input);

        using var copy = network.Copy();
        using var folded = network.ForInference();
        using var pruned = FilterPruner.Prune(network, PruningPlan.Uniform(0.5)).Network;
        using var foldedPruned = pruned.ForInference();
        using var stream = new MemoryStream();
        NetworkSerializer.Save(pruned, stream);
        stream.Position = 0;
        using var loaded = NetworkSerializer.Load(stream);

        Assert.All(new[] { copy, folded, pruned, foldedPruned, loaded }, n => Assert.Equal(normalization, n.InputNormalization));
        Assert.True(TestNetworks.Predict(copy, input).equal(expected).all().item<bool>());
        Assert.True((TestNetworks.Predict(folded, input) - expected).abs().max().item<float>() < 1e-4 * Math.Max(1, expected.abs().max().item<float>()));
        var prunedOutput = TestNetworks.Predict(pruned, input);
        Assert.True(TestNetworks.Predict(loaded, input).equal(prunedOutput).all().item<bool>());
        Assert.True((TestNetworks.Predict(foldedPruned, input) - prunedOutput).abs().max().item<float>() < 1e-4 * Math.Max(1, prunedOutput.abs().max().item<float>()));
    }

    [Fact]
    public void AnotherChannelCountIsRefused()
    {
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);

        var error = Assert.Throws<ArgumentException>(() => network.InputNormalization = InputNormalization.ImageNet);

        Assert.Contains("The input normalization has 3 channels but this SmallCnn reads 1x28x28 images (1 channels).", error.Message);
        Assert.Null(network.InputNormalization);
    }

    [Fact]
    public void InvalidStatisticsAreRefusedAndEqualityComparesValues()
    {
        Assert.Contains("one mean and one standard deviation per channel; got 2 means and 3", Assert.Throws<ArgumentException>(() => new InputNormalization([0f, 0f], [1f, 1f, 1f])).Message);
        Assert.Contains("got 0 means", Assert.Throws<ArgumentException>(() => new InputNormalization([], [])).Message);
        Assert.Contains("Standard deviation of channel 1 is 0", Assert.Throws<ArgumentException>(() => new InputNormalization([0f, 0f], [1f, 0f])).Message);
        Assert.Contains("Mean of channel 0 is NaN", Assert.Throws<ArgumentException>(() => new InputNormalization([float.NaN], [1f])).Message);
        Assert.Contains("Standard deviation of channel 0 is -Infinity", Assert.Throws<ArgumentException>(() => new InputNormalization([0f], [float.NegativeInfinity])).Message);

        var imageNet = new InputNormalization([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        Assert.Equal(InputNormalization.ImageNet, imageNet);
        Assert.Equal(InputNormalization.ImageNet.GetHashCode(), imageNet.GetHashCode());
        Assert.NotEqual(InputNormalization.ImageNet, new InputNormalization([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.226f]));
        Assert.Equal("mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]", imageNet.ToString());
        Assert.Equal(3, imageNet.Channels);
    }
}
