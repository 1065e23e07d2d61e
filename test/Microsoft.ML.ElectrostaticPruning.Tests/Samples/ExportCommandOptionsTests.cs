using ElectrostaticPruning.Samples.Infrastructure;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The options of the samples' <c>export</c> command (the export itself: Onnx/ExportCommandTests).</summary>
public sealed class ExportCommandOptionsTests
{
    [Theory]
    [InlineData(new[] { "export", "--model", "/nonexistent/m.zip", "--onnx", "x.onnx" }, new[] { "--model", "'/nonexistent/m.zip'", "does not exist" })]
    [InlineData(new[] { "export", "--model", "README.md" }, new[] { "--onnx or --pytorch is required", ".onnx", ".safetensors" })]
    [InlineData(new[] { "export", "--model", "README.md", "--onnx", "x.onnx", "--opset", "12" }, new[] { "--opset", "13", "21", "12" })]
    public void BadExportOptionsExitWithOneAndNameTheOptionAndTheValue(string[] args, string[] expected)
    {
        var readme = Path.Combine(RepositoryLocator.FindRepositoryRoot([AppContext.BaseDirectory])!, "README.md");

        var (code, _, error) = CliHarness.Run([.. args.Select(a => a == "README.md" ? readme : a)]);

        Assert.Equal(1, code);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        foreach (var part in expected)
        {
            Assert.Contains(part, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheExportCommandHasHelp()
    {
        var (code, output, _) = CliHarness.Run("export", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--onnx <FILE>", output, StringComparison.Ordinal);
        Assert.Contains("--opset <N>", output, StringComparison.Ordinal);
    }
}
