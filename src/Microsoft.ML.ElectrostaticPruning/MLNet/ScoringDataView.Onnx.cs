using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <content>
/// ONNX export. <c>mlContext.Model.ConvertToOnnx</c> walks the output data view of a model back to its input through
/// <c>IDataTransform.Source</c> and asks every step that is an <c>ITransformCanSaveOnnx</c> to write itself into one
/// graph; this view is the step the ElectrostaticCnn transformer contributes (ML.NET's internal interfaces, reached
/// like the persistence API, see build/Publicizer.targets).
/// </content>
internal sealed partial class ScoringDataView : ITransformCanSaveOnnx
{
    /// <summary>The view this one scores (ML.NET's converter walks the pipeline through it).</summary>
    public IDataView Source => _input;

    /// <summary>Always true: every zoo network exports.</summary>
    public bool CanSaveOnnx(OnnxContext ctx) => true;

    /// <summary>Writes the reshape, the folded network, Softmax (Score) and ArgMax (PredictedLabel).</summary>
    public void SaveAsOnnx(OnnxContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var network = _scorer.Network as CnnNetwork
            ?? throw new InvalidOperationException("ONNX export needs the zoo network the transformer scores with.");
        ScoringOnnxWriter.Write(
            ctx,
            network,
            _binding.FeatureColumn.Name,
            Schema[_binding.ScoreIndex].Name,
            Schema[_binding.PredictedLabelIndex].Name,
            _binding.Labels.KeyType);
    }

    /// <summary>Not supported: a scored data view is not saved; save the transformer with <c>mlContext.Model.Save</c>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("The ElectrostaticCnn transformer's output view cannot be saved on its own; save the transformer (or the model chain) with mlContext.Model.Save.");
}
