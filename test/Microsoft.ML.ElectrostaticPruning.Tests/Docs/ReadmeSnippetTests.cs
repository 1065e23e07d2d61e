using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block of README.md and of every docs/*.md page compiles against the library, as a program of a
/// default console project (<c>ImplicitUsings</c> and <c>Nullable</c> enabled), without errors or warnings. A block whose
/// first line is <c>// continues the program above</c> is compiled together with the program before it in the same file
/// (its usings with that program's usings, its statements after that program's statements, its types after its types).
/// Each piece of a program carries a <c>#line</c> directive, so a diagnostic names the file and line it comes from.
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

    private static readonly Lazy<IReadOnlyList<DocProgram>> AllPrograms = new(ReadAllPrograms);

    /// <summary>One row per program: the file (relative to the repository, README.md or docs/name.md) and the program's number in it, from 1.</summary>
    public static TheoryData<string, int> Programs
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var group in AllPrograms.Value.GroupBy(p => p.File))
            {
                foreach (var program in group)
                {
                    data.Add(program.File, program.Number);
                }
            }

            return data;
        }
    }

    [Fact]
    public void TheReadmeHasTheSnippetsTheApiSectionPromises()
    {
        var programs = AllPrograms.Value;
        Assert.True(programs.Count >= 4, $"expected the pipeline, warm start, tools, penalty and ONNX programs; found {programs.Count}");
        string all = string.Join("\n", programs.Select(p => p.Text));
        Assert.Contains("CreatePredictionEngine<ImageInput, ImagePrediction>", all, StringComparison.Ordinal);
        Assert.Contains("new TransformerChain<ITransformer>", all, StringComparison.Ordinal);
        Assert.Contains("trainer.Fit(preprocessing.Transform(train), pretrained)", all, StringComparison.Ordinal);

        // The front page's pipeline: README's first program, which build/consumer-check.sh also extracts, builds against the
        // package and runs (it needs ElectrostaticCnn(options) and greps the "top-1" line of its output).
        var readme = programs.FirstOrDefault(p => p.File == "README.md");
        Assert.NotNull(readme);
        string[] promised =
        [
            "LoadFromImageFolder", "ElectrostaticCnn(options)", "Regularizer = new FoldedForceRegularizer.Options",
            "CreatePredictionEngine<ImageInput, ImagePrediction>", "new TransformerChain<ITransformer>", "Console.WriteLine($\"top-1",
        ];
        foreach (string expected in promised)
        {
            Assert.True(readme.Text.Contains(expected, StringComparison.Ordinal), $"README.md's first program (line {readme.FirstLine}) lacks '{expected}'");
        }
    }

    [Fact]
    public void EveryDocsPageIsRead()
    {
        var files = Documents().Select(d => d.Relative).ToList();
        Assert.Equal("README.md", files[0]);
        Assert.Contains("docs/api.md", files);
        Assert.Contains("docs/onnx-export.md", files);
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void TheSnippetCompiles(string file, int program)
    {
        var snippet = AllPrograms.Value.Single(p => p.File == file && p.Number == program);
        var problems = Compile(snippet, $"DocSnippet{program}");
        Assert.True(
            problems.Count == 0,
            $"{file}: the csharp block at line {snippet.FirstLine} does not compile cleanly:\n{string.Join("\n", problems)}\n\n{snippet.Text}");
    }

    [Fact]
    public void ASnippetWithAnErrorIsReported()
    {
        // The check itself can fail: a call to a member the library does not have, in a continuation two blocks down.
        string[] page =
        [
            "# Page", string.Empty, "```csharp", "using Microsoft.ML.ElectrostaticPruning;", "var plan = PruningPlan.Uniform(0.5);", "```",
            "Text.", "```csharp", Continuation, "var wrong = plan.NoSuchMember();", "```",
        ];
        var programs = ReadPrograms("docs/broken.md", page);
        var broken = Assert.Single(programs);
        var problems = Compile(broken, "Broken");
        Assert.Contains(problems, p => p.StartsWith("docs/broken.md line 10: CS1061", StringComparison.Ordinal));
    }

    /// <summary>A program of one file: its blocks (a block and the continuations after it), numbered from 1 in the file.</summary>
    private sealed record DocProgram(string File, int Number, IReadOnlyList<Block> Blocks)
    {
        /// <summary>The file's line of the program's first line of code.</summary>
        public int FirstLine => Blocks[0].FirstLine;

        /// <summary>The program's code as written (its blocks, one after another).</summary>
        public string Text => string.Join("\n", Blocks.Select(b => b.Text));
    }

    /// <summary>One csharp block: its first line of code in the file (from 1), its text and its parse.</summary>
    private sealed record Block(int FirstLine, string Text, CompilationUnitSyntax Unit);

    /// <summary>README.md, then docs/*.md in name order: full and repository-relative paths.</summary>
    private static List<(string Full, string Relative)> Documents()
    {
        string root = Path.GetFullPath(Path.Combine(RepositoryData.FashionMnistFolder, "..", ".."));
        var documents = new List<(string Full, string Relative)> { (Path.Combine(root, "README.md"), "README.md") };
        documents.AddRange(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md")
            .Order(StringComparer.Ordinal)
            .Select(p => (p, "docs/" + Path.GetFileName(p))));
        return documents;
    }

    private static List<DocProgram> ReadAllPrograms() =>
        [.. Documents().SelectMany(d => ReadPrograms(d.Relative, File.ReadAllLines(d.Full)))];

    private static List<DocProgram> ReadPrograms(string file, string[] lines)
    {
        var programs = new List<DocProgram>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            int start = i + 1;
            int end = Array.FindIndex(lines, start, l => l.Trim() == "```");
            Assert.True(end > 0, $"{file} line {i + 1}: a csharp block is not closed");
            string text = string.Join("\n", lines[start..end]);
            var block = new Block(start + 1, text, SyntaxFactory.ParseCompilationUnit(text));
            if (text.TrimStart().StartsWith(Continuation, StringComparison.Ordinal))
            {
                Assert.True(programs.Count > 0, $"{file} line {start + 1}: a continuation without a program above it in the same file");
                programs[^1] = programs[^1] with { Blocks = [.. programs[^1].Blocks, block] };
            }
            else
            {
                programs.Add(new DocProgram(file, programs.Count + 1, [block]));
            }

            i = end;
        }

        return programs;
    }

    /// <summary>Compiles <paramref name="program"/>; returns its warnings and errors as "file line N: ID message".</summary>
    private static List<string> Compile(DocProgram program, string assemblyName)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse), CSharpSyntaxTree.ParseText(Source(program), parse, path: program.File)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.Location.IsInSource && d.Location.GetMappedLineSpan() is { } span
                ? $"{span.Path} line {span.StartLinePosition.Line + 1}: {d.Id} {d.GetMessage()}"
                : $"{program.File}: {d.Id} {d.GetMessage()}")];
    }

    /// <summary>
    /// The program's source: the usings of every block (each once), then the statements of every block, then their types;
    /// each piece after a <c>#line</c> directive that points at where it is written.
    /// </summary>
    private static string Source(DocProgram program)
    {
        var source = new StringBuilder();
        var usings = new HashSet<string>(StringComparer.Ordinal);
        void Emit(Block block, SyntaxNode node)
        {
            int line = block.FirstLine + block.Unit.SyntaxTree.GetLineSpan(node.FullSpan).StartLinePosition.Line;
            string text = node.ToFullString();
            source.Append("#line ").Append(line).Append(" \"").Append(program.File).Append("\"\n").Append(text);
            if (!text.EndsWith('\n'))
            {
                source.Append('\n');
            }
        }

        foreach (var block in program.Blocks)
        {
            foreach (var directive in block.Unit.Usings.Where(u => usings.Add(u.WithoutTrivia().ToString())))
            {
                Emit(block, directive);
            }
        }

        foreach (var block in program.Blocks)
        {
            foreach (var statement in block.Unit.Members.OfType<GlobalStatementSyntax>())
            {
                Emit(block, statement);
            }
        }

        foreach (var block in program.Blocks)
        {
            foreach (var type in block.Unit.Members.Where(m => m is not GlobalStatementSyntax))
            {
                Emit(block, type);
            }
        }

        return source.ToString();
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
