namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>What one training epoch measured.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="LearningRate">Learning rate used in this epoch.</param>
/// <param name="Loss">Mean cross-entropy per training sample (the data term, without the penalty).</param>
/// <param name="Penalty">Mean regularizer penalty per step (e.g. <c>alpha_e * sum F</c>); 0 without a regularizer. The objective is <c>Loss + Penalty</c>.</param>
/// <param name="TrainAccuracy">Top-1 accuracy on the training batches as seen during the epoch (training mode, augmented), in [0, 1].</param>
/// <param name="ValidationAccuracy">Top-1 accuracy on the validation set after the epoch (evaluation mode), or null without one.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch, validation included.</param>
public sealed record EpochMetrics(int Epoch, double LearningRate, double Loss, double Penalty, double TrainAccuracy, double? ValidationAccuracy, double Seconds);
