using System.Globalization;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Forwards each epoch's metrics to an ML.NET channel (so they reach <c>MLContext.Log</c>) and to the user's callback,
/// synchronously on the training thread (unlike <see cref="Progress{T}"/>, which posts to a synchronization context).
/// </summary>
internal sealed class EpochReporter(IChannel channel, string phase, int epochs, Action<EpochMetrics>? callback) : IProgress<EpochMetrics>
{
    /// <inheritdoc />
    public void Report(EpochMetrics value)
    {
        channel.Info(Format(phase, epochs, value));
        callback?.Invoke(value);
    }

    /// <summary>One log line, e.g. "training epoch 3/10: lr 0.1, loss 0.4567, penalty 0.0012, train accuracy 84.10%, validation accuracy 83.00%, 12.3 s".</summary>
    internal static string Format(string phase, int epochs, EpochMetrics m)
    {
        var c = CultureInfo.InvariantCulture;
        string validation = m.ValidationAccuracy is double v ? string.Create(c, $", validation accuracy {v:P2}") : string.Empty;
        return string.Create(c, $"{phase} epoch {m.Epoch + 1}/{epochs}: lr {m.LearningRate:G3}, loss {m.Loss:F4}, penalty {m.Penalty:G4}, train accuracy {m.TrainAccuracy:P2}{validation}, {m.Seconds:F1} s");
    }
}
