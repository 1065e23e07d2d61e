using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Validation set, cancellation and the typed callback on a tiny 4x4 problem (fast).</summary>
[Trait("Category", "Slow")]
public sealed class TrainingControlTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void AValidationSetIsEvaluatedAfterEveryEpoch()
    {
        var epochs = new List<EpochMetrics>();
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options
        {
            Epochs = 2,
            FineTuneEpochs = 1,
            BatchSize = 4,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            ValidationSet = Data(6),
            ProgressCallback = epochs.Add,
            Seed = 1,
        });

        using var model = trainer.Fit(Data(12));

        Assert.Equal(3, epochs.Count);
        Assert.All(epochs, e => Assert.InRange(e.ValidationAccuracy!.Value, 0.0, 1.0));
        Assert.Equal(epochs[..2], model.Summary.Training);
        Assert.Equal(epochs[2..], model.Summary.FineTuning);
    }

    [Fact]
    public void AValidationSetWithOtherClassesIsRejected()
    {
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 4, ValidationSet = Data(6, classes: 4) });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(Data(12)));
        Assert.Equal("ValidationSet", ex.ParamName);
        Assert.Contains("has 4 classes, the training data 3", ex.Message);
    }

    [Fact]
    public void ACancelledTokenStopsFit()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 4, CancellationToken = cancel.Token });

        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Data(12)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CancellingDuringTheFirstEpochStopsFitAtTheNextSgdStep(bool throughMLContext)
    {
        // 12 images in batches of 4: 3 steps per epoch. The first epoch's report cancels; Fit must not run epoch 2.
        var ml = new MLContext(seed: 1);
        using var cancel = new CancellationTokenSource();
        var epochs = new List<EpochMetrics>();
        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options
        {
            Epochs = 20,
            BatchSize = 4,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            CancellationToken = cancel.Token,
            ProgressCallback = m =>
            {
                epochs.Add(m);
                if (throughMLContext)
                {
                    CancelExecution(ml);
                }
                else
                {
                    cancel.Cancel();
                }
            },
            Seed = 1,
        });

        var error = Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Data(12)));

        Assert.Single(epochs);
        Assert.Equal(throughMLContext, error.Message.Contains("MLContext", StringComparison.Ordinal));
    }

    [Fact]
    public void CancellingTheMLContextStopsFineTuneAndSweep()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 4, Seed = 1 }).Fit(Data(12));
        var epochs = new List<EpochMetrics>();
        var rows = new List<PruningSweepRow>();

        // ML.NET cancels every host registered on the context, the model's among them.
        var fineTune = new ElectrostaticCnnTransformer.FineTuneOptions { Epochs = 20, BatchSize = 4, ProgressCallback = m => { epochs.Add(m); CancelExecution(ml); } };
        Assert.ThrowsAny<OperationCanceledException>(() => model.FineTune(Data(12), fineTune));
        Assert.ThrowsAny<OperationCanceledException>(() => model.Sweep(Data(12), progress: new SyncProgress<PruningSweepRow>(rows.Add)));

        Assert.Single(epochs);
        Assert.Empty(rows);
    }

    [Fact]
    public void ATrainerWithAFixedSeedIsReproducible()
    {
        ElectrostaticCnnTransformer Train() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options
        {
            Epochs = 1,
            BatchSize = 4,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            Seed = 42,
        }).Fit(Data(12));

        var first = Train().Transform(Data(12)).GetColumn<float[]>("Score").ToArray();
        var second = Train().Transform(Data(12)).GetColumn<float[]>("Score").ToArray();
        Assert.Equal(first, second);
    }

    // MLContext.CancelExecution is internal in ML.NET 5 (ML.NET's own tests and AutoML call it); reach it as they would.
    private static void CancelExecution(MLContext ml) =>
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(ml, null);

    private IDataView Data(int rows, int classes = 3)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes);
        var data = Enumerable.Range(0, rows).Select(i => new Row { Features = Enumerable.Repeat((i % 3) / 3f, 16).ToArray(), Label = (uint)(i % 3) });
        return _ml.Data.LoadFromEnumerable(data, schema);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    public sealed class Row
    {
        [VectorType(1, 4, 4)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }
}
