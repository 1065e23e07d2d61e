using ElectrostaticPruning.Samples.Reporting;
using ElectrostaticPruning.Samples.Reporting.Progress;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Trains one model through the ML.NET trainer, with a progress line fed by its epoch callback.</summary>
internal static class ModelTraining
{
    /// <summary>
    /// Fits <c>mlContext.MulticlassClassification.Trainers.ElectrostaticCnn</c> on <paramref name="train"/>; when
    /// <paramref name="validation"/> is given, its accuracy is shown after every epoch. With <paramref name="initialModel"/>
    /// training continues from its dense network (warm start); the caller keeps ownership of it.
    /// </summary>
    public static ElectrostaticCnnTransformer Fit(
        MLContext mlContext, IDataView train, IDataView? validation, TrainingSpec spec, IProgressBoard board, CancellationToken cancellationToken,
        ElectrostaticCnnTransformer? initialModel = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(board);
        var total = spec.Epochs + spec.FineTuneEpochs;
        var line = board.Start(spec.Method, total);
        var seen = 0;
        var options = spec.ToOptions(validation, metrics =>
        {
            // The callback sees training epochs first, then fine-tuning epochs, each counted from 0.
            seen++;
            var status = seen <= spec.Epochs
                ? EpochStatus.Format(metrics, spec.Epochs)
                : EpochStatus.Format(metrics, spec.FineTuneEpochs, "fine-tune");
            line.Advance(1, status);
        }, cancellationToken);

        var trainer = mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(options);
        var model = initialModel is null ? trainer.Fit(train) : trainer.Fit(train, initialModel);
        var last = model.Summary.Training.Last;
        line.Complete(last is null ? string.Empty : $"final loss {last.Loss:0.0000}, train {Units.Percent(last.TrainAccuracy)}");
        return model;
    }
}
