using ElectrostaticPruning.Samples.Jobs;
using Microsoft.ML.ElectrostaticPruning.Onnx;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The samples' <c>export</c> command on a trained model (its options: Samples/ExportCommandOptionsTests).</summary>
[Collection(TrainedFashionModelCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ExportCommandTests(TrainedFashionModel trained)
{
    [Fact]
    public void ExportWritesAnOnnxModelThatScoresLikeTheSavedModel()
    {
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "model.zip"), onnx = Path.Combine(folder.Path, "out", "model.onnx");
        ModelFiles.Save(trained.Context, trained.Model, trained.Train.Schema, model);

        var (code, output, error) = CliHarness.Run("export", "--model", model, "--onnx", onnx);

        Assert.Equal(string.Empty, error);
        Assert.Equal(0, code);
        Assert.Contains("opset 13", output, StringComparison.Ordinal);
        Assert.Contains("'Score.output'", output, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(onnx);
        using (var session = new InferenceSession(bytes))
        {
            Assert.Equal(["Features"], session.InputMetadata.Keys);
            Assert.Equal("SmallCnn", session.ModelMetadata.CustomMetadataMap[ElectrostaticOnnxMetadata.Architecture]);
        }

        var (features, rows) = OnnxTestModels.Features(trained.Test);
        var (onnxScores, onnxLabels) = OnnxTestModels.RunOnnx(bytes, features, rows);
        var (scores, labels) = OnnxTestModels.Transform(trained.Model, trained.Test);
        Assert.True(OnnxTestModels.MaxAbsDifference(scores, onnxScores) <= 1e-4);
        Assert.Equal(labels, onnxLabels);
    }
}
