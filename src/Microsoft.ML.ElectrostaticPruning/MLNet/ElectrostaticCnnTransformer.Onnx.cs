namespace Microsoft.ML.ElectrostaticPruning;

/// <content>
/// What ONNX export reads besides the scoring view (which writes the graph, see ScoringDataView.Onnx.cs): the column
/// names for the model's metadata.
/// </content>
public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>The feature, score and predicted-label column names.</summary>
    internal ScoringColumns Columns => _columns;
}
