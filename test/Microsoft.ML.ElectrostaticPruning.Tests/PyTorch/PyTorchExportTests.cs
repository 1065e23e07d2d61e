using System.Globalization;
using System.Text.Json;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.PyTorch;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>
/// Pruned networks exported for PyTorch (<see cref="PyTorchExport"/>) are rebuilt by the shipped Python loader with
/// strict=True and give the library's logits there; the files read back in C# bit for bit.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PyTorchExportTests(PyTorchExportFixture fixture, ITestOutputHelper output) : IClassFixture<PyTorchExportFixture>
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Names => ["resnet20", "resnet18", "resnet50", "vgg11", "smallcnn"];

    [Theory]
    [MemberData(nameof(Names))]
    public void PythonRebuildsThePrunedNetworkAndGivesTheLibrarysLogitsUnfoldedAndFolded(string name)
    {
        var export = fixture.Exports[name];
        var python = fixture.PythonLogits(name);

        Assert.True(!export.Network.Widths.SequenceEqual(CnnZoo.DefaultWidths(export.Network.Architecture)), "the exported network is pruned");
        Assert.Equal(export.Logits.shape, python.shape);
        foreach (var (form, logits) in new[] { ("unfolded", export.Logits), ("folded", export.FoldedLogits) })
        {
            double difference = (python - logits).abs().max().item<float>();
            output.WriteLine($"{name} ({export.Network.Architecture}, widths [{string.Join(", ", export.Network.Widths)}]), {form}: max |PyTorch - library| = {difference:G3} (logits up to {logits.abs().max().item<float>():G3})");
            Assert.True(difference <= Tolerance, $"{name}, {form}: max |PyTorch - library| = {difference:G3}");
        }

        Assert.True(export.Logits.abs().max().item<float>() > 0.1f, "the logits are not trivially zero");
    }

    [Fact]
    public void TheLoaderSummaryNamesTheReferenceWidthsClassesAndNormalization()
    {
        output.WriteLine(fixture.PythonOutput);
        var resnet18 = fixture.Exports["resnet18"].Network;
        long parameters = resnet18.parameters().Sum(p => p.NumberOfElements);

        Assert.Contains($"ResNet18 (torchvision.models.resnet18): {parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters, 3x32x32 input, 10 classes", fixture.PythonOutput);
        Assert.Contains($"kept widths per layer: {JsonSerializer.Serialize(resnet18.Widths.ToArray())}", fixture.PythonOutput);
        Assert.Contains("classes: class 0, class 1, class 2", fixture.PythonOutput);
        Assert.Contains("input normalization (applied by the model): mean [0.485,0.456,0.406], std [0.229,0.224,0.225]", fixture.PythonOutput);
    }

    [Fact]
    public void TheFileHoldsFloat32TensorsZeroDimInt64CountersAPaddedHeaderAndStringMetadata()
    {
        var export = fixture.Exports["resnet18"];
        using var stream = File.OpenRead(export.Path);

        var header = SafetensorsFile.ReadHeader(stream, export.Path);

        Assert.Equal(0, header.DataStart % 8);
        var state = export.Network.state_dict();
        Assert.Equal(state.Keys.Order(), header.Entries.Select(e => e.Name).Order());
        foreach (var entry in header.Entries)
        {
            bool counter = entry.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);
            Assert.Equal(counter ? "I64" : "F32", entry.DType);
            Assert.Equal(state[entry.Name].shape, entry.Shape);
            Assert.True(!counter || entry.Shape.Count == 0, $"{entry.Name} is 0-dim");
        }

        var metadata = header.Metadata;
        Assert.Equal("electrostatic-pruning", metadata["format"]);
        Assert.Equal("1", metadata["format_version"]);
        Assert.Equal("ResNet18", metadata["architecture"]);
        Assert.Equal("torchvision.models.resnet18", metadata["reference"]);
        Assert.Equal("[3,32,32]", metadata["input_shape"]);
        Assert.Equal("10", metadata["class_count"]);
        Assert.Equal(export.Network.Widths, JsonSerializer.Deserialize<int[]>(metadata["widths"]));
        Assert.Equal("[0.485,0.456,0.406]", metadata["normalization_mean"]);
        Assert.Equal("[0.229,0.224,0.225]", metadata["normalization_std"]);
        Assert.StartsWith("Microsoft.ML.ElectrostaticPruning ", metadata["producer"]);
        Assert.False(metadata.ContainsKey("classes"));
        using var resnet20 = File.OpenRead(fixture.Exports["resnet20"].Path);
        Assert.Equal(fixture.Exports["resnet20"].ClassNames, JsonSerializer.Deserialize<string[]>(SafetensorsFile.ReadHeader(resnet20, "resnet20").Metadata["classes"]));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void PyBridgeReadsTheExportBitForBit(string name)
    {
        using var scope = NewDisposeScope();
        var export = fixture.Exports[name];

        var read = Safetensors.LoadStateDict(export.Path);

        Assert.True(TestNetworks.SameState(export.Network.state_dict(), read), $"{name}: PyBridge's tensors differ from the network's state");
        Assert.All(read.Values, t => Assert.True(t.dtype is ScalarType.Float32 or ScalarType.Int64));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AnExportLoadsBackAsTheSamePrunedNetworkWithItsNormalization(string name)
    {
        using var scope = NewDisposeScope();
        var export = fixture.Exports[name];
        var original = export.Network;

        var result = PyTorchWeights.Load(export.Path, original.Architecture, original.InputShape, original.ClassCount);
        using var loaded = result.Network;

        Assert.Equal(original.Widths, loaded.Widths);
        Assert.Equal(original.InputNormalization, loaded.InputNormalization);
        Assert.True(TestNetworks.SameState(original.state_dict(), loaded.state_dict()));
        Assert.True(TestNetworks.Predict(loaded, export.Input).equal(export.Logits).all().item<bool>(), "the same outputs, bit for bit");
        Assert.Contains($"pruned widths [{string.Join(", ", original.Widths)}]", result.Description);
        if (original.InputNormalization is not null)
        {
            Assert.Contains("(from the file's metadata)", result.Description);
        }
    }

    [Fact]
    public void AnExportOfAnotherArchitectureIsRefusedByItsMetadata()
    {
        var export = fixture.Exports["resnet20"];

        var error = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(export.Path, CnnArchitecture.ResNet32, new ImageShape(3, 32, 32), 10));

        Assert.Equal($"'{export.Path}' holds a ResNet20 (its metadata says so), not a ResNet32. (Parameter 'architecture')", error.Message);
    }
}
