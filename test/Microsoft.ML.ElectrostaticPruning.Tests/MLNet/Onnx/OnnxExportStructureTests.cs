using System.Text.Json;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Onnx;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet.Onnx;

/// <summary>What the exported graphs look like (read back with OnnxSharp, independently of ML.NET) and that every zoo family exports.</summary>
public sealed class OnnxExportStructureTests
{
    private static readonly ImageShape Fashion = new(1, 28, 28);

    [Fact]
    public void ConvertToOnnxNamesInputsAndOutputsAfterTheColumnsWithTheirShapes()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var model = OnnxTestModels.Create(ml, test, CnnArchitecture.SmallCnn, Fashion, "0.5");

        var graph = global::Onnx.ModelProto.Parser.ParseFrom(OnnxTestModels.Convert(ml, model, test)).Graph;

        Assert.Equal([-1L, 1, 28, 28], Dims(graph.Input.Single(i => i.Name == "Features")));
        Assert.Equal([-1L, 10], Dims(graph.Output.Single(o => o.Name == "Score.output")));
        Assert.Equal([-1L, 1], Dims(graph.Output.Single(o => o.Name == "PredictedLabel.output")));
        Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Float, graph.Output.Single(o => o.Name == "Score.output").Type.TensorType.ElemType);
        Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Uint32, graph.Output.Single(o => o.Name == "PredictedLabel.output").Type.TensorType.ElemType);
    }

    [Fact]
    public void TheGraphIsThePrunedNetworkWithBatchNormFolded()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var model = OnnxTestModels.Create(ml, test, CnnArchitecture.Vgg11, Fashion, "[0:0, 1-7:0.65]");

        var graph = global::Onnx.ModelProto.Parser.ParseFrom(OnnxTestModels.Convert(ml, model, test)).Graph;

        var ops = graph.Node.Select(n => n.OpType).ToList();
        Assert.DoesNotContain("BatchNormalization", ops);
        Assert.Equal(8, ops.Count(o => o == "Conv"));
        Assert.Contains("Softmax", ops);
        Assert.Contains("ArgMax", ops);

        // Conv weights carry the pruned widths, and every conv has its folded bias.
        var convs = graph.Node.Where(n => n.OpType == "Conv").ToList();
        var weights = graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal(model.Network.Widths, convs.Select(c => (int)weights[c.Input[1]].Dims[0]).ToArray());
        Assert.All(convs, c => Assert.Equal(3, c.Input.Count));
        Assert.True(model.Network.Widths.Skip(1).All(w => w < 512), "the plan pruned layers 1-7");
    }

    [Fact]
    public void AnInputNormalizationIsASubAndADivBeforeTheFirstConvAndTheGraphIsOtherwiseUnchanged()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var normalized = OnnxTestModels.Create(ml, test, CnnArchitecture.ResNet20, Fashion, "[0, 0.5, 0.5, 0.5, 0]", normalization: new InputNormalization([0.25f], [0.5f]));
        var plain = OnnxTestModels.Create(ml, test, CnnArchitecture.ResNet20, Fashion, "[0, 0.5, 0.5, 0.5, 0]");

        var graph = global::Onnx.ModelProto.Parser.ParseFrom(OnnxTestModels.Convert(ml, normalized, test)).Graph;
        var plainGraph = global::Onnx.ModelProto.Parser.ParseFrom(OnnxTestModels.Convert(ml, plain, test)).Graph;

        var plainOps = plainGraph.Node.Select(n => n.OpType).ToList();
        Assert.DoesNotContain("Sub", plainOps);
        Assert.DoesNotContain("Div", plainOps);
        int firstConv = plainOps.IndexOf("Conv");
        Assert.Equal([.. plainOps[..firstConv], "Sub", "Div", .. plainOps[firstConv..]], graph.Node.Select(n => n.OpType));
        var sub = graph.Node.Single(n => n.OpType == "Sub");
        var div = graph.Node.Single(n => n.OpType == "Div");
        var conv = graph.Node.First(n => n.OpType == "Conv");
        Assert.Equal(sub.Output[0], div.Input[0]);
        Assert.Equal(div.Output[0], conv.Input[0]);
        Assert.Equal(plainGraph.Node.First(n => n.OpType == "Conv").Input[0], sub.Input[0]);
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal([0.25f], initializers[sub.Input[1]].FloatData);
        Assert.Equal([1L, 1, 1, 1], initializers[sub.Input[1]].Dims);
        Assert.Equal([0.5f], initializers[div.Input[1]].FloatData);
    }

    [Fact]
    public void ConvertToOnnxDeclaresMlNetsOpsetAndExportToOnnxDeclaresThirteen()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var model = OnnxTestModels.Create(ml, test, CnnArchitecture.ResNet20, Fashion, "[0, 0.5, 0.5, 0.5, 0]");

        var converted = global::Onnx.ModelProto.Parser.ParseFrom(OnnxTestModels.Convert(ml, model, test));
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, test, stream);
        var exported = global::Onnx.ModelProto.Parser.ParseFrom(stream.ToArray());

        Assert.Equal(12, converted.OpsetImport.Single(o => o.Domain == string.Empty).Version);
        Assert.Equal(13, exported.OpsetImport.Single(o => o.Domain == string.Empty).Version);
        Assert.True(exported.IrVersion >= 7, $"IR {exported.IrVersion}");
        Assert.Equal(converted.Graph.Node.Select(n => n.OpType), exported.Graph.Node.Select(n => n.OpType));
        Assert.Contains("Slice", exported.Graph.Node.Select(n => n.OpType));
        Assert.Contains("Pad", exported.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void ExportToOnnxKeepsTheClassNamesAndTheNetworkAsMetadata()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var model = OnnxTestModels.Create(ml, test, CnnArchitecture.SmallCnn, Fashion, "0.5");
        using var stream = new MemoryStream();
        ml.Model.ExportToOnnx(model, test, stream, outputColumns: ["Score", "PredictedLabel"]);

        using var session = new InferenceSession(stream.ToArray());
        var metadata = session.ModelMetadata.CustomMetadataMap;

        Assert.Equal(model.Summary.ClassNames, JsonSerializer.Deserialize<string[]>(metadata[ElectrostaticOnnxMetadata.ClassNames]));
        Assert.Equal("T-shirt/top", model.Summary.ClassNames[0]);
        Assert.Equal("SmallCnn", metadata[ElectrostaticOnnxMetadata.Architecture]);
        Assert.Equal("1x28x28", metadata[ElectrostaticOnnxMetadata.InputShape]);
        Assert.Equal("0.5", metadata[ElectrostaticOnnxMetadata.PruningPlan]);
        Assert.Equal("Score.output", metadata[ElectrostaticOnnxMetadata.ScoreOutput]);
        Assert.Equal("PredictedLabel.output", metadata[ElectrostaticOnnxMetadata.PredictedLabelOutput]);
        Assert.Equal("Features", metadata[ElectrostaticOnnxMetadata.FeaturesInput]);

        // Only the kept outputs, and only the input they need.
        Assert.Equal(["Features"], session.InputMetadata.Keys);
        Assert.Contains("Score.output", session.OutputMetadata.Keys);
        Assert.Contains("PredictedLabel.output", session.OutputMetadata.Keys);
        Assert.DoesNotContain("Label.output", session.OutputMetadata.Keys);
        Assert.DoesNotContain("Features.output", session.OutputMetadata.Keys);
    }

    [Fact]
    public void ConvertToOnnxKeepsTheClassNamesAsTheScoreSlotNames()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var model = OnnxTestModels.Create(ml, test, CnnArchitecture.SmallCnn, Fashion);

        var graph = global::Onnx.ModelProto.Parser.ParseFrom(OnnxTestModels.Convert(ml, model, test)).Graph;

        var slotNames = graph.Node.Single(n => n.OpType == "LabelEncoder" && n.Name.Contains("Score", StringComparison.Ordinal));
        var keys = slotNames.Attribute.Single(a => a.Name == "keys_strings").Strings.Select(s => s.ToStringUtf8());
        Assert.Equal(model.Summary.ClassNames, keys);
    }

    [Fact]
    public void ExportToOnnxRejectsAnOpsetOutsideThirteenToTwentyOneNamingTheParameter()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var model = OnnxTestModels.Create(ml, test, CnnArchitecture.SmallCnn, Fashion);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Model.ExportToOnnx(model, test, Stream.Null, opSetVersion: 12));
        Assert.Equal("opSetVersion", error.ParamName);
        Assert.Contains("between 13 and 21", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportToOnnxRejectsAnUnknownOutputColumnNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var test = FashionMnistSubset.Test(ml, 10);
        var model = OnnxTestModels.Create(ml, test, CnnArchitecture.SmallCnn, Fashion);

        var error = Assert.Throws<ArgumentException>(() => ml.Model.ExportToOnnx(model, test, Stream.Null, outputColumns: ["Scores"]));
        Assert.Contains("'Scores'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Score'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CnnArchitecture.SmallCnn)]
    [InlineData(CnnArchitecture.ResNet32)]
    [InlineData(CnnArchitecture.ResNet56)]
    [InlineData(CnnArchitecture.Vgg13)]
    [InlineData(CnnArchitecture.Vgg16)]
    [InlineData(CnnArchitecture.Vgg19)]
    [InlineData(CnnArchitecture.ResNet18)]
    [InlineData(CnnArchitecture.ResNet34)]
    [InlineData(CnnArchitecture.ResNet50)]
    public void EveryZooFamilyExportsAndRunsInOnnxRuntimeLikeTransform(CnnArchitecture architecture)
    {
        var ml = new MLContext(seed: 1);
        var shape = new ImageShape(3, 32, 32);
        var data = OnnxTestModels.RandomImages(ml, shape, rows: 8);

        // Narrow widths keep the big networks cheap; the structure (blocks, shortcuts, pools) is the architecture's own.
        int divisor = architecture is CnnArchitecture.SmallCnn or CnnArchitecture.ResNet32 or CnnArchitecture.ResNet56 ? 1 : 8;
        int[] widths = [.. CnnZoo.DefaultWidths(architecture).Select(w => Math.Max(1, w / divisor))];
        var model = OnnxTestModels.Create(ml, data, architecture, shape, widths: widths);

        var onnx = OnnxTestModels.Convert(ml, model, data);
        var (features, rows) = OnnxTestModels.Features(data);
        var (onnxScores, onnxLabels) = OnnxTestModels.RunOnnx(onnx, features, rows);
        var (scores, labels) = OnnxTestModels.Transform(model, data);

        double difference = OnnxTestModels.MaxAbsDifference(scores, onnxScores);
        Assert.True(difference <= 1e-4, $"{architecture}: max |score difference| {difference:G3}");
        Assert.Equal(labels, onnxLabels);
        int convs = global::Onnx.ModelProto.Parser.ParseFrom(onnx).Graph.Node.Count(n => n.OpType == "Conv");
        Assert.Equal(model.Network.ConvLayers.Count, convs);
    }

    private static long[] Dims(global::Onnx.ValueInfoProto value) =>
        [.. value.Type.TensorType.Shape.Dim.Select(d => d.ValueCase == global::Onnx.TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1)];
}
