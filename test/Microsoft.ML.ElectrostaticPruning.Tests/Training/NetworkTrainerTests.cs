using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

[Trait("Category", "Slow")]
public sealed class NetworkTrainerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"ep-trainer-{Guid.NewGuid():N}");

    public NetworkTrainerTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TrainingOptions Options(int epochs = 2) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        Schedule = LearningRateSchedule.Parse("0:0.05,2:0.01"),
        Regularizer = new ElectrostaticForceRegularizer.Options { ForceRate = 1e-12 },
        Augment = true,
        Seed = 5,
        Device = TrainingDevice.Cpu,
    };

    /// <summary>The zoo's SmallCnn for 1x8x8 inputs and 3 classes, convs 4 and 8 wide, seeded weights.</summary>
    private static CnnNetwork Model(int seed = 1) => TestModels.SmallCnn(new ImageShape(1, 8, 8), 3, 4, 8, seed);

    private static IReadOnlyList<Parameter> Convs(CnnNetwork model) => TestModels.ConvWeights(model);

    private static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
        {
            Assert.True(values.SequenceEqual(actual[name]), $"{name} differs");
        }
    }

    private sealed class SyncProgress(Action<EpochMetrics> report) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value) => report(value);
    }

    [Fact]
    public void WarmUpRaisesTheRateStepByStepSoTheFirstEpochMovesTheWeightsLess()
    {
        var data = TestData.Synthetic(96);   // 6 steps per epoch: rates rate/6, 2 rate/6, ..., rate
        using var initial = Model();
        using var warm = Model();
        using var cold = Model();
        var options = Options(epochs: 1);
        options.Regularizer = null;
        new NetworkTrainer().Train(warm, [], data, null, WithWarmup(options, 1));
        new NetworkTrainer().Train(cold, [], data, null, WithWarmup(options, 0));

        double Moved(CnnNetwork model) => model.parameters().Zip(initial.parameters()).Sum(p => (p.First - p.Second).abs().sum().item<float>());
        // Without warm-up the two runs would be identical (same seed, same data order): any warm-up effect shows as less movement.
        Assert.True(Moved(warm) < Moved(cold), $"warm-up moved the weights by {Moved(warm)}, no warm-up by {Moved(cold)}");
    }

    private static TrainingOptions WithWarmup(TrainingOptions options, int epochs)
    {
        options.WarmupEpochs = epochs;
        return options;
    }

    [Fact]
    public void BatchNormCountersEndAtOneCountPerStepAndStayInTheStateDict()
    {
        // Training runs with the counters taken out (see BatchNormCounters); they come back with every step counted.
        var data = TestData.Synthetic(96);
        using var model = Model();
        new NetworkTrainer().Train(model, Convs(model), data, null, Options(epochs: 2));

        var counters = model.state_dict().Where(kv => kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, counters.Count);
        Assert.All(counters, kv => Assert.Equal(2 * (96 / 16), kv.Value.item<long>()));
        Assert.All(counters, kv => Assert.Equal(ScalarType.Int64, kv.Value.dtype));
    }

    [Fact]
    public void TwoRunsWithTheSameSeedEndWithIdenticalWeights()
    {
        var data = TestData.Synthetic(96);
        using var initial = Model();
        using var first = Model();
        using var second = Model();
        using var otherSeed = Model();

        new NetworkTrainer().Train(first, Convs(first), data, null, Options());
        new NetworkTrainer().Train(second, Convs(second), data, null, Options());
        var changedSeed = Options();
        changedSeed.Seed = 6;
        new NetworkTrainer().Train(otherSeed, Convs(otherSeed), data, null, changedSeed);

        AssertSameWeights(TestModels.Snapshot(first), TestModels.Snapshot(second));
        Assert.False(TestModels.Snapshot(first)["conv1.weight"].SequenceEqual(TestModels.Snapshot(otherSeed)["conv1.weight"]));
        Assert.False(TestModels.Snapshot(first)["conv1.weight"].SequenceEqual(TestModels.Snapshot(initial)["conv1.weight"]));
    }

    [Fact]
    public void ACancelledTokenStopsBeforeTheFirstStepAndLeavesTheWeightsUntouched()
    {
        using var model = Model();
        var before = TestModels.Snapshot(model);
        Assert.Throws<OperationCanceledException>(() => new NetworkTrainer().Train(
            model, Convs(model), TestData.Synthetic(32), null, Options(), null, new CancellationToken(canceled: true)));
        AssertSameWeights(before, TestModels.Snapshot(model));
    }

    [Fact]
    public void EpochMetricsFollowTheScheduleAndReportLossPenaltyAndAccuracy()
    {
        using var model = Model();
        var reported = new List<EpochMetrics>();
        var options = Options(epochs: 3);
        options.Augment = false;
        var history = new NetworkTrainer().Train(model, Convs(model), TestData.Synthetic(96), TestData.Synthetic(30, seed: 2), options, new SyncProgress(reported.Add));

        Assert.Equal(history, reported);
        Assert.Equal([0.05, 0.05, 0.01], reported.Select(m => m.LearningRate));
        Assert.All(reported, m =>
        {
            Assert.True(m.Penalty > 0 && double.IsFinite(m.Penalty));
            Assert.InRange(m.TrainAccuracy, 0, 1);
            Assert.InRange(m.ValidationAccuracy!.Value, 0, 1);
            Assert.True(m.Seconds > 0);
        });
        Assert.True(reported[2].Loss < reported[0].Loss, $"loss {reported[0].Loss} -> {reported[2].Loss}");
        Assert.True(reported[2].ValidationAccuracy > 0.9, $"validation accuracy {reported[2].ValidationAccuracy}");
    }

    [Fact]
    public void AnyRatioTrainingReturnsTheOrderItsLastEpochRankedNotTheOrderOfTheFinalWeights()
    {
        using var model = TestModels.SmallCnn(new ImageShape(1, 8, 8), 3, 16, 32, seed: 1);
        var options = Options(epochs: 3);
        options.Plan = PruningPlan.Parse("0.5 rank folded compensate");
        options.AnyRatio = new AnyRatioTrainingOptions { StartEpoch = 0 };
        var layers = model.ConvLayers.Where(l => l.IsPrunable).ToArray();
        Dictionary<string, int[]> Ranking() => layers.ToDictionary(
            l => l.Name, l => FilterPruner.RankingNorms(model, l, FilterRanking.FoldedL1Norm).Select((n, i) => (n, i)).OrderByDescending(p => p.n).ThenBy(p => p.i).Select(p => p.i).ToArray());
        Dictionary<string, int[]>? beforeLastEpoch = null;
        var trainer = new NetworkTrainer();

        trainer.Train(model, Convs(model), TestData.Synthetic(96), null, options, new SyncProgress(m =>
        {
            if (m.Epoch == 1)
            {
                beforeLastEpoch = Ranking();
            }
        }));

        var order = trainer.TrainedOrder!;
        var final = Ranking();
        Assert.Equal(FilterRanking.FoldedL1Norm, order.Ranking);
        Assert.Equal(layers.Select(l => l.Name).Order(), order.Convs.Order());
        // The narrowest sub-network (MaxRatio 0.7 of the paper's sweep) keeps n - ceil(0.7 n) filters: 4 of 16, 9 of 32.
        Assert.Equal([4, 9], layers.Select(l => order.Narrowest(l.Name)));
        foreach (var layer in layers)
        {
            for (int kept = 1; kept <= layer.OutChannels; kept++)
            {
                Assert.Equal(beforeLastEpoch![layer.Name][..kept].Order(), order.Kept(layer.Name, kept));
            }
        }

        // The last epoch moved the weights enough to re-rank some filters, so returning the final ranking would differ.
        Assert.Contains(layers, l => !final[l.Name].SequenceEqual(beforeLastEpoch![l.Name]));

        // Without any-ratio training there is no trained order.
        options.AnyRatio = null;
        trainer.Train(model, Convs(model), TestData.Synthetic(96), null, options);
        Assert.Null(trainer.TrainedOrder);
    }

    [Fact]
    public void WithoutARegularizerThePenaltyIsZeroAndNoLayersAreNeeded()
    {
        using var model = Model();
        var options = Options();
        options.Regularizer = null;
        var history = new NetworkTrainer().Train(model, [], TestData.Synthetic(48), null, options);
        Assert.All(history, m => Assert.Equal(0, m.Penalty));
    }

    [Fact]
    public void L1BaselineReportsRateTimesTheL1NormOfTheRegularizedLayers()
    {
        using var model = Model();
        var options = Options(epochs: 1);
        options.Regularizer = new L1Regularizer.Options();
        options.Schedule = LearningRateSchedule.Constant(1e-9);
        options.Momentum = 0;
        double expected = 1e-2 * Convs(model).Sum(w => w.abs().sum().item<float>());

        var history = new NetworkTrainer().Train(model, Convs(model), TestData.Synthetic(48), null, options);

        // With a learning rate of 1e-9 the weights barely move, so the mean penalty is the initial one.
        Assert.Equal(expected, history[0].Penalty, 4);
    }

    [Fact]
    public void LiveTensorCountStaysFlatAcrossEpochs()
    {
        using var model = Model();
        var live = new List<long>();
        var options = Options(epochs: 4);
        var checkpoint = FitCheckpoint.Open(Path.Combine(_folder, "flat.ckpt"), ["flat"]);
        new NetworkTrainer().Train(model, Convs(model), TestData.Synthetic(64), TestData.Synthetic(20, seed: 3), options,
            new SyncProgress(_ => live.Add(DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount)), checkpoint: checkpoint.Training);

        // Epoch 0 creates the momentum buffers; after that nothing may accumulate, checkpoint writing included.
        Assert.Equal(4, live.Count);
        Assert.Equal(live[1], live[2]);
        Assert.Equal(live[1], live[3]);
    }

    [Fact]
    public void EvaluateCountsTopOneHitsOverAllBatchesAndRestoresTheMode()
    {
        using var model = Model();
        var data = TestData.Synthetic(7, seed: 5);
        int[] predicted;
        using (no_grad())
        {
            model.eval();
            using var all = tensor(data.Features, [data.Count, 1, 8, 8]);
            using var logits = model.forward(all);
            predicted = [.. logits.argmax(1).data<long>().Select(v => (int)v)];
        }

        int hits = predicted.Zip(data.Labels).Count(p => p.First == p.Second);
        model.train();

        // Batches of 2, 2, 2 and 1 must count the same hits as one pass over all 7 images.
        double accuracy = NetworkTrainer.Evaluate(model, data, batchSize: 2, CPU);

        Assert.InRange(hits, 1, 6);
        Assert.Equal(hits / 7.0, accuracy, 12);
        Assert.True(model.training);
    }

    [Fact]
    public void AnEmptyLayerListIsRejectedWhenARegularizerIsRequested()
    {
        using var model = Model();
        var error = Assert.Throws<ArgumentException>(() => new NetworkTrainer().Train(model, [], TestData.Synthetic(16), null, Options()));
        Assert.Equal("regularizedWeights", error.ParamName);
        Assert.Contains("electrostatic force", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWeightThatIsNotPartOfTheModelIsRejected()
    {
        using var model = Model();
        using var stranger = Model(seed: 2);
        var error = Assert.Throws<ArgumentException>(() => new NetworkTrainer().Train(model, Convs(stranger), TestData.Synthetic(16), null, Options()));
        Assert.Equal("regularizedWeights", error.ParamName);
    }

    [Fact]
    public void ImagesOfTheWrongShapeAreRejectedBeforeTrainingWithTheExpectedShapeInTheMessage()
    {
        using var model = Model();
        var data = new ImageDataset(new float[4 * 144], [0, 1, 2, 0], new ImageShape(1, 12, 12), 3);
        var before = TestModels.Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => new NetworkTrainer().Train(model, Convs(model), data, null, Options()));

        Assert.Equal("train", error.ParamName);
        Assert.Contains("images are 1x12x12", error.Message);
        Assert.Contains("expects 1x8x8", error.Message);
        AssertSameWeights(before, TestModels.Snapshot(model));
    }

    [Fact]
    public void AClassCountThatDoesNotMatchTheModelOutputIsRejected()
    {
        using var model = Model();
        var synthetic = TestData.Synthetic(16);
        var data = new ImageDataset(synthetic.Features, synthetic.Labels, synthetic.Shape, 5);
        var error = Assert.Throws<ArgumentException>(() => new NetworkTrainer().Train(model, Convs(model), data, null, Options()));
        Assert.Equal("train", error.ParamName);
        Assert.Contains("expects 1x8x8 with 3 classes", error.Message);
    }

    [Fact]
    public void RequestingCudaWithoutAGpuFailsWithAClearMessage()
    {
        using var model = Model();
        var options = Options();
        options.Device = TrainingDevice.Cuda;
        var error = Assert.Throws<ArgumentException>(() => new NetworkTrainer().Train(model, Convs(model), TestData.Synthetic(16), null, options));
        Assert.Equal("Device", error.ParamName);
        Assert.Contains("torch.cuda.is_available() is false", error.Message);
        Assert.Contains(LibTorch.FolderVariable, error.Message);
    }

    [Theory]
    [InlineData("Epochs")]
    [InlineData("BatchSize")]
    [InlineData("ElectrostaticForceRegularizer.Options.ForceRate")]
    public void InvalidOptionsAreRejectedNamingTheOption(string option)
    {
        using var model = Model();
        var options = Options();
        switch (option)
        {
            case "Epochs": options.Epochs = 0; break;
            case "BatchSize": options.BatchSize = 0; break;
            default: options.Regularizer = new ElectrostaticForceRegularizer.Options { ForceRate = -1e-12 }; break;
        }

        var error = Assert.ThrowsAny<ArgumentException>(() => new NetworkTrainer().Train(model, Convs(model), TestData.Synthetic(16), null, options));
        Assert.Equal(option, error.ParamName);
    }
}
