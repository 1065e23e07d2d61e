namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>From <paramref name="Epoch"/> on (0-based), train with learning rate <paramref name="Rate"/>.</summary>
/// <param name="Epoch">First epoch (0-based) the rate applies to; at least 0.</param>
/// <param name="Rate">Learning rate; finite and greater than 0.</param>
public readonly record struct LearningRateMilestone(int Epoch, double Rate);
