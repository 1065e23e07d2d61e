using ElectrostaticPruning.Samples.Jobs;
using Microsoft.ML.ElectrostaticPruning.Onnx;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The samples' <c>export</c> command.</summary>
[Collection(TrainedFashionModelCollection.Name)]
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

    [Theory]
    [InlineData(new[] { "export", "--model", "/nonexistent/m.zip", "--onnx", "x.onnx" }, "error: --model file '/nonexistent/m.zip' does not exist.")]
    [InlineData(new[] { "export", "--model", "README.md" }, "error: --onnx is required: the .onnx file to write, e.g. --onnx out/model.onnx.")]
    [InlineData(new[] { "export", "--model", "README.md", "--onnx", "x.onnx", "--opset", "12" }, "error: --opset must be between 13 and 21 (got 12).")]
    public void BadExportOptionsExitWithOneAndNameTheOption(string[] args, string expected)
    {
        string readme = Path.Combine(RepositoryRoot(), "README.md");
        var (code, _, error) = CliHarness.Run([.. args.Select(a => a == "README.md" ? readme : a)]);

        Assert.Equal(1, code);
        Assert.Equal(expected + Environment.NewLine, error);
    }

    [Fact]
    public void TheExportCommandHasHelp()
    {
        var (code, output, _) = CliHarness.Run("export", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--onnx <FILE>", output, StringComparison.Ordinal);
        Assert.Contains("--opset <N>", output, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ElectrostaticPruning.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
