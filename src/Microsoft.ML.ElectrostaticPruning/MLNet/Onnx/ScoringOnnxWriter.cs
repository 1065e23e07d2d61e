using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.ElectrostaticPruning.Onnx;

/// <summary>
/// Writes what the ElectrostaticCnn transformer computes, into ML.NET's ONNX context: the feature vector reshaped to
/// N x C x H x W, the folded network, <c>Score</c> = Softmax of the logits (as the transformer's Score column) and
/// <c>PredictedLabel</c> = ArgMax + 1 cast to the label's key type (keys are 1-based; ML.NET's multiclass exporters
/// write the same), so that <c>MapKeyToValue</c>'s exporter, <c>ApplyOnnxModel</c> and <c>Evaluate</c> work on it.
/// </summary>
internal static class ScoringOnnxWriter
{
    /// <summary>Emits the scorer. The feature column must already be an ONNX variable of <paramref name="ctx"/>.</summary>
    /// <param name="ctx">ML.NET's context.</param>
    /// <param name="network">The folded network that scores.</param>
    /// <param name="featureColumn">Input column: C x H x W floats (flat or shaped).</param>
    /// <param name="scoreColumn">Output column name of the probabilities.</param>
    /// <param name="predictedLabelColumn">Output column name of the arg-max key.</param>
    /// <param name="keyType">The label's key type (PredictedLabel's type).</param>
    /// <exception cref="InvalidOperationException">The feature column is not in the ONNX graph (an earlier step could not be exported).</exception>
    public static void Write(OnnxContext ctx, CnnNetwork network, string featureColumn, string scoreColumn, string predictedLabelColumn, KeyDataViewType keyType)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(keyType);
        if (!ctx.ContainsColumn(featureColumn))
        {
            throw new InvalidOperationException(
                $"ONNX export: the feature column '{featureColumn}' of the ElectrostaticCnn transformer is not in the ONNX graph, because a step " +
                "before it cannot be exported (ML.NET's image transforms LoadImages/ResizeImages/ExtractPixels cannot). Export from data that " +
                $"already holds the '{featureColumn}' pixel vectors, e.g. mlContext.Model.ConvertToOnnx(cnnTransformer, featurizedData, stream).");
        }

        var graph = new OnnxGraph(ctx);
        var shape = network.InputShape;
        var (image, _) = graph.Node(
            "Reshape",
            "image",
            ctx.GetVariableName(featureColumn),
            graph.Longs("image.shape", [-1, shape.Channels, shape.Height, shape.Width], [4]));
        string logits = CnnGraphEmitter.EmitLogits(graph, network, image);

        int classes = network.ClassCount;
        string score = ctx.AddIntermediateVariable(new VectorDataViewType(NumberDataViewType.Single, classes), scoreColumn);
        graph.NodeInto("Softmax", "softmax", score, logits).AddAttribute("axis", -1L);

        var (argMax, argMaxNode) = graph.Node("ArgMax", "argmax", score);
        argMaxNode.AddAttribute("axis", 1L);
        argMaxNode.AddAttribute("keepdims", 1L);
        var (key, _) = graph.Node("Add", "key", argMax, graph.Long("one", 1));
        string predictedLabel = ctx.AddIntermediateVariable(keyType, predictedLabelColumn);
        graph.NodeInto("Cast", "predicted_label", predictedLabel, key).AddAttribute("to", keyType.RawType);
    }
}
