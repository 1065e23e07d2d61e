using System.Globalization;
using ElectrostaticPruning.Samples.Reporting;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>The short live status shown next to a training progress bar.</summary>
internal static class EpochStatus
{
    /// <summary>e.g. "epoch 3/10 lr 0.1 loss 0.4321 penalty 0.0123 train 85.21% test 84.00%" (epochs are 0-based in <see cref="EpochMetrics"/>).</summary>
    public static string Format(EpochMetrics metrics, int totalEpochs, string phase = "epoch")
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{phase} {metrics.Epoch + 1}/{totalEpochs} lr {metrics.LearningRate:G3} loss {metrics.Loss:0.0000}");
        if (metrics.Penalty != 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" penalty {metrics.Penalty:G3}");
        }

        text += $" train {Units.Percent(metrics.TrainAccuracy)}";
        if (metrics.ValidationAccuracy is { } validation)
        {
            text += $" test {Units.Percent(validation)}";
        }

        return text;
    }
}
