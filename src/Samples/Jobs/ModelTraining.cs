using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Trains one model through the ML.NET trainer, with a progress line fed by its epoch callback.</summary>
internal static class ModelTraining
{
    /// <summary>
    /// Fits <c>mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(options)</c> on <paramref name="train"/>, after
    /// setting the options' validation set (its accuracy is shown after every epoch), progress callback and cancellation
    /// token. With <paramref name="initialModel"/> training continues from its dense network (warm start); the caller keeps
    /// ownership of it. The library's option errors are reported under the command-line flags.
    /// </summary>
    public static ElectrostaticCnnTransformer Fit(
        MLContext mlContext,
        IDataView train,
        IDataView? validation,
        string label,
        ElectrostaticCnnTrainer.Options options,
        IProgressBoard board,
        CancellationToken cancellationToken,
        ElectrostaticCnnTransformer? initialModel = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(board);
        var line = board.Start(label, options.Epochs + options.FineTuneEpochs);
        var seen = 0;
        options.ValidationSet = validation;
        options.CancellationToken = cancellationToken;
        options.ProgressCallback = metrics =>
        {
            // The callback sees training epochs first, then fine-tuning epochs, each counted from 0.
            seen++;
            line.Advance(1, seen <= options.Epochs ? EpochStatus.Format(metrics, options.Epochs) : EpochStatus.Format(metrics, options.FineTuneEpochs, "fine-tune"));
        };

        var trainer = TrainingSettings.CreateTrainer(mlContext, options);
        var model = FlagErrors.Named(() => initialModel is null ? trainer.Fit(train) : trainer.Fit(train, initialModel), TrainingSettings.OptionFlags);
        var last = model.Summary.Training.Last;
        line.Complete(last is null ? string.Empty : $"final loss {last.Loss:0.0000}, train {Units.Percent(last.TrainAccuracy)}");
        return model;
    }
}
