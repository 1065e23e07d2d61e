namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>evaluate</c>: a model and the data to evaluate it on (its test split).</summary>
internal sealed class EvaluateCommandSettings : ModelFileSettings;
