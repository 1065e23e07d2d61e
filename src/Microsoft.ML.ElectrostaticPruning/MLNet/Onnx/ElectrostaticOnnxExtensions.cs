using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.Data;
using static Microsoft.ML.Model.OnnxConverter.OnnxCSharpToProtoWrapper;

namespace Microsoft.ML;

/// <summary>
/// ONNX export of models that contain an <see cref="ElectrostaticCnnTransformer"/> at a standard opset of 13 or later,
/// with the class names and the network in the model metadata.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.ConvertToOnnx(model, data, stream)</c> (ML.NET's converter, package Microsoft.ML.OnnxConverter)
/// exports such models too, with the same graph, but ML.NET 5 declares opset 12 at most and writes no metadata. These
/// methods run ML.NET's converter and then declare <c>opSetVersion</c>, after checking that every op of the graph means
/// the same at that opset (the network's ops do; some other ML.NET exporters write opset-12-only ops such as Unsqueeze
/// with an axes attribute, and then export fails, naming the op), and add <see cref="ElectrostaticOnnxMetadata"/>.
/// Inputs and outputs are named like ML.NET's converter names them: one input per column of the input data (the
/// features are <c>[N, C·H·W]</c> floats, or <c>[N, C, H, W]</c> for shaped vectors), and an output <c>&lt;column&gt;.output</c>
/// for every output column (<c>Score.output</c> <c>[N, K]</c> probabilities, <c>PredictedLabel.output</c> <c>[N, 1]</c> keys).
/// </remarks>
public static class ElectrostaticOnnxExtensions
{
    /// <summary>
    /// Converts <paramref name="model"/> (a chain that contains an ElectrostaticCnn transformer, or the transformer
    /// alone) to ONNX at <paramref name="opSetVersion"/> and writes it to <paramref name="stream"/>.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputData">Data with the model's input schema (only the schema is read).</param>
    /// <param name="stream">Where the ONNX protobuf is written.</param>
    /// <param name="opSetVersion">The default-domain opset to declare: 13 (default) to 21.</param>
    /// <param name="outputColumns">
    /// The output columns to keep (e.g. <c>"Score", "PredictedLabel"</c>); none keeps every column, as ML.NET does. Graph
    /// inputs that no kept output needs are left out, so a model that keeps only the scores takes only the features.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opSetVersion"/> is outside 13 ... 21.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> contains no ElectrostaticCnn transformer, or an output column does not exist.</exception>
    /// <exception cref="InvalidOperationException">A step before the transformer cannot be exported, so its feature column is not in the graph.</exception>
    /// <exception cref="NotSupportedException">Another step of the pipeline wrote an op whose meaning changed after opset 12.</exception>
    /// <example>
    /// A complete program, ONNX export scored by ONNX Runtime: <c>src/Samples/Examples/OnnxExportWithOnnxRuntime.cs</c> in the repository, run by
    /// <c>dotnet run -c Release --project src/Samples -- example onnx</c>.
    /// </example>
    public static void ExportToOnnx(this ModelOperationsCatalog catalog, ITransformer model, IDataView inputData, Stream stream, int opSetVersion = OnnxOpset.Default, params string[] outputColumns)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputData);
        ArgumentNullException.ThrowIfNull(stream);
        OnnxOpset.Validate(opSetVersion, nameof(opSetVersion));
        var transformer = FindTransformer(model)
            ?? throw new ArgumentException("The model contains no ElectrostaticCnn transformer; export other models with mlContext.Model.ConvertToOnnx.", nameof(model));

        ArgumentNullException.ThrowIfNull(outputColumns);
        var outputSchema = model.GetOutputSchema(inputData.Schema);
        foreach (string column in outputColumns)
        {
            if (outputSchema.GetColumnOrNull(column) is null)
            {
                throw new ArgumentException($"Output column '{column}' does not exist; the model's output columns are {string.Join(", ", outputSchema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.", nameof(outputColumns));
            }
        }

        var proto = catalog.ConvertToOnnxProtobuf(model, inputData, outputColumns.Length == 0 ? null : outputColumns);
        RemoveUnreadInputs(proto);
        DeclareOpset(proto, opSetVersion);
        AddMetadata(proto, transformer);
        proto.WriteTo(stream);
    }

    /// <summary>
    /// Like <see cref="ExportToOnnx(ModelOperationsCatalog, ITransformer, IDataView, Stream, int, string[])"/> for a model loaded
    /// with <c>mlContext.Model.Load(path, out inputSchema)</c>: no data is needed, only the schema saved with it.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">The model's input schema.</param>
    /// <param name="stream">Where the ONNX protobuf is written.</param>
    /// <param name="opSetVersion">The default-domain opset to declare: 13 (default) to 21.</param>
    /// <param name="outputColumns">The output columns to keep; none keeps every column.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opSetVersion"/> is outside 13 ... 21.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> contains no ElectrostaticCnn transformer, or an output column does not exist.</exception>
    /// <exception cref="InvalidOperationException">A step before the transformer cannot be exported, so its feature column is not in the graph.</exception>
    /// <exception cref="NotSupportedException">Another step of the pipeline wrote an op whose meaning changed after opset 12.</exception>
    public static void ExportToOnnx(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, Stream stream, int opSetVersion = OnnxOpset.Default, params string[] outputColumns)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ExportToOnnx(catalog, model, new EmptyDataView(catalog.GetEnvironment(), inputSchema), stream, opSetVersion, outputColumns);
    }

    /// <summary>The last ElectrostaticCnn transformer of <paramref name="model"/> (a chain is searched, nested chains too).</summary>
    internal static ElectrostaticCnnTransformer? FindTransformer(ITransformer model) => model switch
    {
        ElectrostaticCnnTransformer transformer => transformer,
        IEnumerable<ITransformer> chain => chain.Select(FindTransformer).LastOrDefault(t => t is not null),
        _ => null,
    };

    // ML.NET declares every input column as a graph input; ONNX Runtime then wants all of them fed, even those no node reads.
    private static void RemoveUnreadInputs(ModelProto proto)
    {
        var read = proto.Graph.Node.SelectMany(n => n.Input).Concat(proto.Graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var input in proto.Graph.Input.Where(i => !read.Contains(i.Name)).ToList())
        {
            proto.Graph.Input.Remove(input);
        }
    }

    private static void DeclareOpset(ModelProto proto, int opset)
    {
        foreach (var node in proto.Graph.Node.Where(n => n.Domain is "" or "ai.onnx"))
        {
            if (!OnnxOpset.StableOps.Contains(node.OpType))
            {
                throw new NotSupportedException(
                    $"ONNX export at opset {opset}: node '{node.Name}' ({node.OpType}), written by another step of the pipeline, changed meaning after opset " +
                    $"{OnnxOpset.MlNet}. Export with mlContext.Model.ConvertToOnnx (opset {OnnxOpset.MlNet}) instead.");
            }

            if (node.OpType == "Softmax" && node.Attribute.FirstOrDefault(a => a.Name == "axis") is not { I: -1 })
            {
                throw new NotSupportedException(
                    $"ONNX export at opset {opset}: Softmax node '{node.Name}' does not work on the last axis, and opset 13 changed what other axes mean. " +
                    $"Export with mlContext.Model.ConvertToOnnx (opset {OnnxOpset.MlNet}) instead.");
            }
        }

        foreach (var import in proto.OpsetImport.Where(i => i.Domain is "" or "ai.onnx"))
        {
            import.Version = opset;
        }

        proto.IrVersion = Math.Max(proto.IrVersion, OnnxOpset.IrVersionFor(opset));
    }

    private static void AddMetadata(ModelProto proto, ElectrostaticCnnTransformer transformer)
    {
        var summary = transformer.Summary;
        var columns = transformer.Columns;
        string OutputOf(string column) =>
            proto.Graph.Output.Select(o => o.Name).FirstOrDefault(n => n.StartsWith(column + ".output", StringComparison.Ordinal)) ?? string.Empty;

        var entries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ElectrostaticOnnxMetadata.ClassNames] = JsonSerializer.Serialize(summary.ClassNames),
            [ElectrostaticOnnxMetadata.Architecture] = summary.Architecture.ToString(),
            [ElectrostaticOnnxMetadata.InputShape] = summary.InputShape.ToString(),
            [ElectrostaticOnnxMetadata.PruningPlan] = summary.PruningPlan.ToString(),
            [ElectrostaticOnnxMetadata.FeaturesInput] = proto.Graph.Input.Any(i => i.Name == columns.Features) ? columns.Features : string.Empty,
            [ElectrostaticOnnxMetadata.ScoreOutput] = OutputOf(columns.Score),
            [ElectrostaticOnnxMetadata.PredictedLabelOutput] = OutputOf(columns.PredictedLabel),
        };
        foreach (var (key, value) in entries)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
    }
}
