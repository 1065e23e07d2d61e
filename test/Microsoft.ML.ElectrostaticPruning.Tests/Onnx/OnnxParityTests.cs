using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Onnx;

/// <summary>
/// ONNX Runtime on the file that <c>mlContext.Model.ConvertToOnnx</c> writes gives the scores of <c>model.Transform</c> on the
/// embedded Fashion-MNIST test images, for dense and pruned networks whose BatchNorm statistics are random (so the
/// folding, the pruning and the option-A shortcuts all show in the scores).
/// </summary>
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
}
