using System.Collections.Immutable;
using ElectrostaticPruning.Build.ScalarLifetime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Build;

/// <summary>
/// The build's Scalar-lifetime check (build/ScalarLifetimeAnalyzer) on small programs against the real TorchSharp 0.107:
/// each way of handing libtorch an unguarded temporary Scalar is reported, each way of keeping one alive is not.
/// </summary>
public sealed class ScalarLifetimeAnalyzerTests
{
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. platform.Append(typeof(TorchSharp.torch).Assembly.Location).Select(p => MetadataReference.CreateFromFile(p))];
    });

    [Theory]
    [InlineData("var y = x.mul(2.0);", "EPS001")]
    [InlineData("var y = x.clamp_min(0);", "EPS001")]
    [InlineData("var y = x.index_fill_(0, torch.tensor(new long[] { 0 }), 0);", "EPS001")]
    [InlineData("var s = 2.0.ToScalar(); var y = x.mul(s);", "EPS002")]
    [InlineData("var y = x * 2.0;", "EPS003")]
    [InlineData("var y = x + x;", "EPS003")]
    [InlineData("var y = x.add_(x);", "EPS003")]
    [InlineData("var y = x.square();", "EPS003")]
    [InlineData("double v = x.sum().ToDouble();", "EPS003")]
    [InlineData("double v = (double)x.sum();", "EPS003")]
    [InlineData("var y = torch.nn.BatchNorm2d(3).call(x);", "EPS004")]
    [InlineData("var y = torch.nn.Sequential(torch.nn.ReLU()).call(x);", "EPS004")]
    [InlineData("var o = torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), 0.1); o.step();", "EPS004")]
    [InlineData("torch.nn.Module<torch.Tensor, torch.Tensor> m = torch.nn.ReLU(); var y = m.call(x);", "EPS004")]
    public void AnUnguardedTemporaryScalarIsReported(string statements, string id)
    {
        var diagnostics = Analyze(statements);
        Assert.Contains(diagnostics, d => d.Id == id);
    }

    [Theory]
    [InlineData("using var s = 2.0.ToScalar(); var y = x.mul(s);")]
    [InlineData("using Scalar s = 2.0; var y = x.mul(s);")]
    [InlineData("var y = x.mul(Cached.Two).add(x, Cached.One);")]
    [InlineData("var y = x.mul(x).sum().item<float>();")]
    [InlineData("var y = torch.nn.Conv2d(3, 4, 3).call(x.view(1, 3, 2, 2));")]
    [InlineData("var y = torch.nn.functional.batch_norm(x, null, null, training: true);")]
    public void AScalarKeptAliveForTheCallIsNotReported(string statements)
    {
        Assert.Empty(Analyze(statements));
    }

    private static ImmutableArray<Diagnostic> Analyze(string statements)
    {
        string source = $$"""
            using TorchSharp;
            static class Cached
            {
                public static readonly Scalar One = 1.0.ToScalar();
                public static readonly Scalar Two = 2.0.ToScalar();
            }

            static class Program
            {
                static void Main()
                {
                    var x = torch.ones(3, 4);
                    {{statements}}
                }
            }
            """;
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return compilation.WithAnalyzers([new ScalarLifetimeAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }
}
