using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// One small model trained once for the test classes of <see cref="TrainedFashionModelCollection"/>: SmallCnn, 1 epoch at
/// learning rate 0.01 on the first 1,200 embedded Fashion-MNIST training images, plan 0.5, 1 fine-tuning epoch, seed 1.
/// Tests must not change it.
/// </summary>
public sealed class TrainedFashionModel : IDisposable
{
    /// <summary>Messages of <see cref="MLContext.Log"/> during Fit.</summary>
    private readonly List<string> _log = [];

    public TrainedFashionModel()
    {
        Context = new MLContext(seed: 1);
        Context.Log += (_, e) =>
        {
            lock (_log)
            {
                _log.Add(e.RawMessage);
            }
        };
        Options = new ElectrostaticCnnTrainer.Options
        {
            Epochs = 1,
            BatchSize = 64,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            FineTuneEpochs = 1,
            Seed = 1,
            ProgressCallback = m => Callbacks.Add(m),
        };
        Train = FashionMnistSubset.Train(Context, 1200);
        Test = FashionMnistSubset.Test(Context, 500);
        Model = Context.MulticlassClassification.Trainers.ElectrostaticCnn(Options).Fit(Train);
    }

    public MLContext Context { get; }

    /// <summary>Frees the model's native memory when the collection is done.</summary>
    public void Dispose() => Model.Dispose();

    public ElectrostaticCnnTrainer.Options Options { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    public ElectrostaticCnnTransformer Model { get; }

    /// <summary>What the typed progress callback received.</summary>
    public List<EpochMetrics> Callbacks { get; } = [];

    /// <summary>A snapshot of the log messages.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }
}
