using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block of README.md compiles against the library, as a program of a default console project
/// (<c>ImplicitUsings</c> and <c>Nullable</c> enabled), without errors or warnings. A block whose first line is
/// <c>// continues the program above</c> is compiled together with the program before it (its statements after that
/// program's statements, its types after its types).
/// </summary>
public sealed class ReadmeSnippetTests
{
    private const string Continuation = "// continues the program above";

    // What <ImplicitUsings>enable</ImplicitUsings> adds to a console project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    public static TheoryData<int> Programs => [.. Enumerable.Range(0, ReadPrograms().Count)];

    [Fact]
    public void TheReadmeHasTheSnippetsTheApiSectionPromises()
    {
        var programs = ReadPrograms();
        Assert.True(programs.Count >= 4, $"expected the pipeline, tools, penalty and ONNX programs; found {programs.Count}");
        string all = string.Join("\n", programs.Select(p => p.Text));
        Assert.Contains("CreatePredictionEngine<ImageInput, ImagePrediction>", all, StringComparison.Ordinal);
        Assert.Contains("new TransformerChain<ITransformer>", all, StringComparison.Ordinal);
        Assert.Contains("trainer.Fit(preprocessing.Transform(train), pretrained)", all, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void TheSnippetCompiles(int index)
    {
        var program = ReadPrograms()[index];
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            $"ReadmeSnippet{index}",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse), program.Unit.SyntaxTree],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        var problems = compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => $"README line {program.FirstLine + d.Location.GetLineSpan().StartLinePosition.Line}: {d.Id} {d.GetMessage()}")
            .ToList();
        Assert.True(problems.Count == 0, $"README snippet at line {program.FirstLine} does not compile cleanly:\n{string.Join("\n", problems)}\n\n{program.Text}");
    }

    [Fact]
    public void ASnippetWithAnErrorIsReported()
    {
        // The check itself can fail: a call to a member the library does not have.
        var unit = SyntaxFactory.ParseCompilationUnit("using Microsoft.ML.ElectrostaticPruning;\nvar plan = PruningPlan.Uniform(0.5).NoSuchMember();\n");
        var compilation = CSharpCompilation.Create(
            "Broken", [CSharpSyntaxTree.ParseText(ImplicitUsings), unit.SyntaxTree], References.Value, new CSharpCompilationOptions(OutputKind.ConsoleApplication));
        Assert.Contains(compilation.GetDiagnostics(), d => d.Id == "CS1061");
    }

    private sealed record Snippet(int FirstLine, CompilationUnitSyntax Unit, string Text);

    private static List<Snippet> ReadPrograms()
    {
        string readme = Path.GetFullPath(Path.Combine(RepositoryData.FashionMnistFolder, "..", "..", "README.md"));
        string[] lines = File.ReadAllLines(readme);
        var programs = new List<Snippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            int start = i + 1;
            int end = Array.FindIndex(lines, start, l => l.Trim() == "```");
            Assert.True(end > 0, $"README line {i + 1}: a csharp block is not closed");
            string text = string.Join("\n", lines[start..end]);
            var unit = SyntaxFactory.ParseCompilationUnit(text);
            if (text.TrimStart().StartsWith(Continuation, StringComparison.Ordinal))
            {
                Assert.True(programs.Count > 0, $"README line {start + 1}: a continuation without a program above");
                var previous = programs[^1];
                programs[^1] = previous with { Unit = Merge(previous.Unit, unit), Text = previous.Text + "\n" + text };
            }
            else
            {
                programs.Add(new Snippet(start + 1, unit, text));
            }

            i = end;
        }

        return programs;
    }

    // Usings of both, then the statements of both, then the type declarations of both.
    private static CompilationUnitSyntax Merge(CompilationUnitSyntax first, CompilationUnitSyntax second)
    {
        var usings = first.Usings.AddRange(second.Usings.Where(u => !first.Usings.Any(f => f.ToString() == u.ToString())));
        var statements = first.Members.OfType<GlobalStatementSyntax>().Concat(second.Members.OfType<GlobalStatementSyntax>());
        var types = first.Members.Where(m => m is not GlobalStatementSyntax).Concat(second.Members.Where(m => m is not GlobalStatementSyntax));
        return SyntaxFactory.CompilationUnit().WithUsings(usings).WithMembers(SyntaxFactory.List<MemberDeclarationSyntax>([.. statements, .. types])).NormalizeWhitespace();
    }

    // The framework's assemblies and every managed assembly beside the tests (ML.NET, TorchSharp, ONNX Runtime, the library).
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var names = new HashSet<string>(platform.Select(Path.GetFileName)!, StringComparer.OrdinalIgnoreCase);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll").Where(p => !names.Contains(Path.GetFileName(p)) && IsManaged(p));
        return [.. platform.Concat(local).Where(IsManaged).Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
