using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// The transformer bound to one input schema: which input column holds the features and what the output schema is
/// (every input column, hidden ones included, then <c>Score</c> and <c>PredictedLabel</c> with the annotations that
/// Evaluate, the confusion matrix and MapKeyToValue look for).
/// </summary>
internal sealed class ScoringBinding
{
    private ScoringBinding(DataViewSchema input, DataViewSchema output, DataViewSchema.Column features, ClassLabels labels)
    {
        InputSchema = input;
        OutputSchema = output;
        FeatureColumn = features;
        Labels = labels;
        ScoreIndex = input.Count;
        PredictedLabelIndex = input.Count + 1;
    }

    /// <summary>The schema this binding was made for.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>Input columns followed by Score and PredictedLabel; input columns keep their indices.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>The input feature column.</summary>
    public DataViewSchema.Column FeatureColumn { get; }

    /// <summary>Class information (key type, key values).</summary>
    public ClassLabels Labels { get; }

    /// <summary>Index of the Score column in <see cref="OutputSchema"/>.</summary>
    public int ScoreIndex { get; }

    /// <summary>Index of the PredictedLabel column in <see cref="OutputSchema"/>.</summary>
    public int PredictedLabelIndex { get; }

    /// <summary>Whether output column <paramref name="index"/> is computed (not passed through).</summary>
    public bool IsScoreColumn(int index) => index >= InputSchema.Count;

    /// <summary>Binds to <paramref name="input"/>, checking the feature column.</summary>
    /// <exception cref="ArgumentException">The feature column is missing or is not a vector of <paramref name="featureSize"/> Singles.</exception>
    public static ScoringBinding Create(DataViewSchema input, ScoringColumns columns, ClassLabels labels, int featureSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        var features = SchemaValidation.RequireFeatureColumn(input, columns.Features, DataSetRole.Scoring, featureSize);

        uint setId = input.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(columns.Score, new VectorDataViewType(NumberDataViewType.Single, labels.Count), ScoreAnnotations(labels, setId, AnnotationUtils.Const.ScoreValueKind.Score));
        builder.AddColumn(columns.PredictedLabel, labels.KeyType, ScoreAnnotations(labels, setId, AnnotationUtils.Const.ScoreValueKind.PredictedLabel));
        return new ScoringBinding(input, builder.ToSchema(), features, labels);
    }

    private static DataViewSchema.Annotations ScoreAnnotations(ClassLabels labels, uint setId, string valueKind)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (valueKind == AnnotationUtils.Const.ScoreValueKind.Score)
        {
            labels.AddSlotNames(builder);
        }
        else
        {
            labels.AddKeyValues(builder);
        }

        builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint value) => value = setId);
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());
        return builder.ToAnnotations();
    }
}
