namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Keys of the model metadata (<c>metadata_props</c>) that
/// <see cref="ElectrostaticOnnxExtensions.ExportToOnnx(ModelOperationsCatalog, ITransformer, IDataView, Stream, int, string[])"/> writes; ONNX
/// Runtime returns them in <c>InferenceSession.ModelMetadata.CustomMetadataMap</c>.
/// </summary>
public static class ElectrostaticOnnxMetadata
{
    /// <summary>The class names in score order, as a JSON array of strings (Score slot i is class i).</summary>
    public const string ClassNames = "classes";

    /// <summary>The zoo architecture, e.g. <c>SmallCnn</c>.</summary>
    public const string Architecture = "architecture";

    /// <summary>One image as C x H x W, e.g. <c>1x28x28</c>; the features input holds C·H·W floats per row in planar CHW order.</summary>
    public const string InputShape = "input_shape";

    /// <summary>The pruning plan of the exported (pruned) network, e.g. <c>0.5</c>.</summary>
    public const string PruningPlan = "pruning_plan";

    /// <summary>The graph input that takes the feature vectors, e.g. <c>Features</c>.</summary>
    public const string FeaturesInput = "features_input";

    /// <summary>The graph output with the class probabilities, e.g. <c>Score.output</c>.</summary>
    public const string ScoreOutput = "score_output";

    /// <summary>The graph output with the predicted key (1-based class index in the label's key type), e.g. <c>PredictedLabel.output</c>.</summary>
    public const string PredictedLabelOutput = "predicted_label_output";
}
