using System.Text.RegularExpressions;
using System.Xml.Linq;
using ElectrostaticPruning.Samples.Commands;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>
/// Every example program of src/Samples/Examples is linked from the XML docs of the API it shows (an &lt;example&gt; naming
/// its file and its <c>example NAME</c> command), and every such link names a file and a command that exist.
/// </summary>
public sealed partial class ExampleLinkTests
{
    private static readonly XDocument Docs = XDocument.Load(Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.ElectrostaticPruning.xml"));

    public static TheoryData<string, string> Links => new()
    {
        { "ImageFolderPipeline", "M:Microsoft.ML.ElectrostaticCnnCatalogExtensions.ElectrostaticCnn(" },
        { "RePruningAndSweep", "M:Microsoft.ML.ElectrostaticPruning.ElectrostaticCnnTransformer.Prune(Microsoft.ML.ElectrostaticPruning.PruningPlan)" },
        { "RePruningAndSweep", "M:Microsoft.ML.ElectrostaticPruning.ElectrostaticCnnTransformer.Sweep(" },
        { "OnnxExportWithOnnxRuntime", "M:Microsoft.ML.ElectrostaticOnnxExtensions.ExportToOnnx(Microsoft.ML.ModelOperationsCatalog,Microsoft.ML.ITransformer,Microsoft.ML.IDataView," },
        { "WarmStart", "M:Microsoft.ML.ElectrostaticPruning.ElectrostaticCnnTrainer.Fit(Microsoft.ML.IDataView,Microsoft.ML.ElectrostaticPruning.ElectrostaticCnnTransformer)" },
        { "CheckpointAndResume", "P:Microsoft.ML.ElectrostaticPruning.ElectrostaticCnnTrainer.Options.CheckpointPath" },
        { "PenaltyInTorchSharpLoop", "T:Microsoft.ML.ElectrostaticPruning.ElectrostaticPenalty" },
    };

    [Theory]
    [MemberData(nameof(Links))]
    public void TheApiAnExampleShowsLinksToItInItsXmlDocs(string example, string memberPrefix)
    {
        var member = Docs.Descendants("member").Where(m => ((string)m.Attribute("name")!).StartsWith(memberPrefix, StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(member);
        Assert.Contains(member, m => m.Element("example")?.Value.Contains($"src/Samples/Examples/{example}.cs", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void EveryExampleFileIsLinkedAndEveryLinkNamesAnExistingFileAndCommand()
    {
        var links = Docs.Descendants("example").Select(e => Link().Match(e.Value)).Where(m => m.Success).ToList();
        string examples = Path.Combine(RepositoryRoot(), "src", "Samples", "Examples");

        Assert.Equal(
            Directory.GetFiles(examples, "*.cs").Select(Path.GetFileNameWithoutExtension).Order(),
            links.Select(m => m.Groups["file"].Value).Distinct().Order());
        Assert.All(links, m => Assert.Contains(m.Groups["command"].Value, ExampleCommand.All.Select(e => e.Name)));
    }

    [GeneratedRegex(@"src/Samples/Examples/(?<file>\w+)\.cs.*?-- example (?<command>[\w-]+)", RegexOptions.Singleline)]
    private static partial Regex Link();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ElectrostaticPruning.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"ElectrostaticPruning.sln not found above {AppContext.BaseDirectory}.");
    }
}
