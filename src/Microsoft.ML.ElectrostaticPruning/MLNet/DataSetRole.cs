namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Which data set a check is about, so that every error names it and gives the advice that fits its cause: a training
/// set lacks a column because the column name option is wrong; a validation, fine-tuning or test set lacks it because it
/// did not go through the pipeline's earlier steps.
/// </summary>
/// <param name="Name">How messages name the data, e.g. "the validation set (Options.ValidationSet)".</param>
/// <param name="MissingColumnAdvice">What to do about a missing column; {0} is the column's role ("feature", "label").</param>
/// <param name="Origin">Where the data comes from, named first in a schema mismatch, e.g. "of the validation set"; empty for the trainer's input.</param>
internal sealed record DataSetRole(string Name, string MissingColumnAdvice, string Origin)
{
    private const string ThroughThePipeline =
        "give it the columns the trainer reads: transform it with the pipeline's steps before the trainer first (e.g. the fitted chain of those steps, preprocessing.Transform(data))";

    /// <summary>The data given to <c>Fit</c>.</summary>
    public static DataSetRole Training { get; } = new("the training data", "set the {0} column name option to one of them", string.Empty);

    /// <summary>The data given to <c>Fit(data, initialModel)</c>.</summary>
    public static DataSetRole WarmStartTraining { get; } = new("the warm start's training data", "set the {0} column name option to one of them", " of the warm start's training data");

    /// <summary><c>Options.ValidationSet</c> of the trainer.</summary>
    public static DataSetRole Validation { get; } = new("the validation set (Options.ValidationSet)", ThroughThePipeline, " of the validation set (Options.ValidationSet)");

    /// <summary><c>FineTuneOptions.ValidationSet</c>.</summary>
    public static DataSetRole FineTuneValidation { get; } = new("the fine-tuning validation set (FineTuneOptions.ValidationSet)", ThroughThePipeline, " of the fine-tuning validation set (FineTuneOptions.ValidationSet)");

    /// <summary>The data given to <c>FineTune</c>.</summary>
    public static DataSetRole FineTuning { get; } = new("the fine-tuning data", ThroughThePipeline, " of the fine-tuning data");

    /// <summary>The test data given to <c>Sweep</c>.</summary>
    public static DataSetRole SweepTest { get; } = new("the sweep's test data", ThroughThePipeline, " of the sweep's test data");

    /// <summary>The images given to <c>Prune(plan, calibrationData)</c> and <c>Sweep(..., calibrationData)</c>.</summary>
    public static DataSetRole Calibration { get; } = new("the BatchNorm calibration data", ThroughThePipeline, " of the BatchNorm calibration data");

    /// <summary>The data a transformer scores (<c>Transform</c>, <c>PredictionEngine</c>, ONNX export).</summary>
    public static DataSetRole Scoring { get; } = new("the data to score", "the model reads the column the trainer was trained on: give the data the pipeline's steps before the trainer, or train with another column name", string.Empty);

    /// <summary>The advice for a missing column of <paramref name="columnRole"/>.</summary>
    public string AdviceFor(string columnRole) => string.Format(System.Globalization.CultureInfo.InvariantCulture, MissingColumnAdvice, columnRole);
}
