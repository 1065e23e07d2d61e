namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>What one training epoch measured.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="LearningRate">Learning rate used in this epoch.</param>
/// <param name="Loss">Mean cross-entropy per training sample (the data term, without the penalty).</param>
/// <param name="Penalty">Mean regularizer penalty per step (e.g. <c>alpha_e * sum F</c>); 0 without a regularizer. The objective is <c>Loss + Penalty</c>.</param>
/// <param name="TrainAccuracy">
/// Top-1 accuracy on the training images after the epoch, measured the way the model scores (evaluation mode, BatchNorm
/// running statistics, no augmentation), in [0, 1]; on a fixed sample of 10,000 images when the training set is larger.
/// </param>
/// <param name="ValidationAccuracy">Top-1 accuracy on the validation set after the epoch (evaluation mode), or null without one.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch, validation included.</param>
public sealed record EpochMetrics(int Epoch, double LearningRate, double Loss, double Penalty, double TrainAccuracy, double? ValidationAccuracy, double Seconds)
{
    /// <summary>Writes the record in the binary layout shared by checkpoints and saved models.</summary>
    internal void WriteTo(BinaryWriter writer)
    {
        writer.Write(Epoch);
        writer.Write(LearningRate);
        writer.Write(Loss);
        writer.Write(Penalty);
        writer.Write(TrainAccuracy);
        writer.Write(ValidationAccuracy.HasValue);
        writer.Write(ValidationAccuracy ?? 0);
        writer.Write(Seconds);
    }

    /// <summary>Reads a record written by <see cref="WriteTo"/>.</summary>
    internal static EpochMetrics ReadFrom(BinaryReader reader)
    {
        int epoch = reader.ReadInt32();
        double rate = reader.ReadDouble(), loss = reader.ReadDouble(), penalty = reader.ReadDouble(), accuracy = reader.ReadDouble();
        bool hasValidation = reader.ReadBoolean();
        double validation = reader.ReadDouble(), seconds = reader.ReadDouble();
        return new EpochMetrics(epoch, rate, loss, penalty, accuracy, hasValidation ? validation : null, seconds);
    }
}
