namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>Column names the transformer reads and writes.</summary>
/// <param name="Features">Input: the image vector (C x H x W floats).</param>
/// <param name="Score">Output: K class probabilities.</param>
/// <param name="PredictedLabel">Output: the arg-max class as a key of the label's key type.</param>
internal sealed record ScoringColumns(string Features, string Score, string PredictedLabel);
