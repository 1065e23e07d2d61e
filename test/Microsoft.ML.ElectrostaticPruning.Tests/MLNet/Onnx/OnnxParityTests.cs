using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet.Onnx;

/// <summary>
/// ONNX Runtime on the file that <c>mlContext.Model.ConvertToOnnx</c> writes gives the scores of <c>model.Transform</c> on the
/// embedded Fashion-MNIST test images, for dense and pruned networks whose BatchNorm statistics are random (so the
/// folding, the pruning and the option-A shortcuts all show in the scores).
/// </summary>
[Trait("Category", "Slow")]
public sealed class OnnxParityTests
{
    private static readonly ImageShape Fashion = new(1, 28, 28);

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, null, 2000)]
    [InlineData(CnnArchitecture.SmallCnn, "0.5", 2000)]
    [InlineData(CnnArchitecture.ResNet20, null, 300)]
    [InlineData(CnnArchitecture.ResNet20, "[0, 0.5, 0.6, 0.7, 0]", 300)]
    [InlineData(CnnArchitecture.Vgg11, null, 300)]
    [InlineData(CnnArchitecture.Vgg11, "[0:0, 1-7:0.65]", 300)]
    public void OnnxRuntimeScoresMatchTransformWithinOneInTenThousand(CnnArchitecture architecture, string? plan, int images)
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, images);
        var model = OnnxTestModels.Create(ml, test, architecture, Fashion, plan);
        if (plan is not null)
        {
            Assert.True(model.Summary.Speedup > 1.5, $"the plan should prune: speedup {model.Summary.Speedup:F2}");
        }

        var onnx = OnnxTestModels.Convert(ml, model, test);
        var (features, rows) = OnnxTestModels.Features(test);
        var (onnxScores, onnxLabels) = OnnxTestModels.RunOnnx(onnx, features, rows);
        var (scores, labels) = OnnxTestModels.Transform(model, test);

        Assert.Equal(images, rows);
        double difference = OnnxTestModels.MaxAbsDifference(scores, onnxScores);
        Assert.True(difference <= 1e-4, $"max |score difference| {difference:G3}");
        Assert.Equal(labels, onnxLabels);

        // The scores are not trivially uniform: the networks separate the images.
        Assert.True(scores.Max() > 0.2f, $"max score {scores.Max()}");
    }

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn, null)]
    [InlineData(CnnArchitecture.SmallCnn, "0.5")]
    [InlineData(CnnArchitecture.ResNet20, "[0, 0.5, 0.6, 0.7, 0]")]
    public void ANetworkWithInputNormalizationScoresInOnnxRuntimeLikeTransform(CnnArchitecture architecture, string? plan)
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 300);
        // A strong normalization (pixels scaled by 10) and scores that are not saturated (classifier gain 1), so that
        // leaving the normalization out would show in the scores.
        var normalization = new InputNormalization([0.5f], [0.1f]);
        var model = OnnxTestModels.Create(ml, test, architecture, Fashion, plan, normalization: normalization, classifierGain: 1);
        var plain = OnnxTestModels.Create(ml, test, architecture, Fashion, plan, classifierGain: 1);
        Assert.Equal(normalization, model.Network.InputNormalization);

        var onnx = OnnxTestModels.Convert(ml, model, test);
        var (features, rows) = OnnxTestModels.Features(test);
        var (onnxScores, onnxLabels) = OnnxTestModels.RunOnnx(onnx, features, rows);
        var (scores, labels) = OnnxTestModels.Transform(model, test);

        double difference = OnnxTestModels.MaxAbsDifference(scores, onnxScores);
        Assert.True(difference <= 1e-4, $"max |score difference| {difference:G3}");
        Assert.Equal(labels, onnxLabels);

        // The same network without the normalization computes clearly different logits (the confident scores would
        // hide it), so the comparison above can fail.
        using var scope = TorchSharp.torch.NewDisposeScope();
        var images = TorchSharp.torch.tensor(features, [rows, 1, 28, 28]);
        double effect = (TestNetworks.Predict(model.Network, images) - TestNetworks.Predict(plain.Network, images)).abs().max().item<float>();
        Assert.True(effect > 1e-2, $"the normalization changed the logits by only {effect:G3}");
        double scoreEffect = OnnxTestModels.MaxAbsDifference(scores, OnnxTestModels.Transform(plain, test).Scores);
        Assert.True(scoreEffect > 1e-3, $"the normalization changed the scores by only {scoreEffect:G3}, not clearly more than the tolerance");
    }
}
