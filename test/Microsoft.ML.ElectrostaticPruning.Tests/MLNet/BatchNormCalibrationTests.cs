using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary><see cref="ElectrostaticCnnTransformer.Prune(PruningPlan, IDataView, int, int)"/>: BatchNorm statistics re-estimated by forward passes.</summary>
[Trait("Category", "Slow")]
public sealed class BatchNormCalibrationTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static readonly Lazy<ElectrostaticCnnTransformer> Model = new(() =>
    {
        var options = SmallTrainerOptions.Create();
        options.Regularizer = null;
        return Ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(FashionMnistSubset.Train(Ml, 512));
    });

    [Fact]
    public void FitReturnsThePlansNetworkRecalibratedOnTheTrainingImagesAsPruneWithCalibrationDataDoes()
    {
        var train = FashionMnistSubset.Train(Ml, 512);
        var test = FashionMnistSubset.Test(Ml, 200);
        var options = SmallTrainerOptions.Create();
        options.Seed = 3;
        options.CalibrationImages = 300;
        using var recalibrated = Ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        options.CalibrationImages = 0;
        using var dataFree = Ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);

        // Both fits trained the same dense network; only the returned pruned network's statistics differ.
        using var samePrune = recalibrated.Prune(recalibrated.PruningPlan, train, calibrationImages: 300, seed: 3);
        using var dataFreePrune = dataFree.Prune(dataFree.PruningPlan);
        var scores = Scores(recalibrated, test);
        Assert.Equal(Scores(samePrune, test), scores);
        Assert.Equal(Scores(dataFreePrune, test), Scores(dataFree, test));
        Assert.NotEqual(Scores(dataFree, test), scores);
        Assert.Contains("BatchNorm recalibrated on 300 training images", recalibrated.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.Contains("data-free BatchNorm statistics", dataFree.Summary.TrainingOptions, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelTrainedForARangePrunesByItsTrainedOrderDataFreeWithTheStatisticsOfItsStoredWidthsAlsoAfterSaveAndLoad()
    {
        var train = FashionMnistSubset.Train(Ml, 512);
        var test = FashionMnistSubset.Test(Ml, 200);
        var options = SmallTrainerOptions.Create();
        using var ranged = Ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        options.AnyRatio = null;
        using var onePlan = Ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        var plan = ranged.PruningPlan;
        var atStoredWidth = plan.SweepAt(CnnArchitecture.SmallCnn, 0.35);

        // Fit measured the range's widths on its training images with its seed: at a stored width, data-free pruning
        // is recalibration on those images.
        using var dataFree = ranged.Prune(atStoredWidth);
        using var recalibrated = ranged.Prune(atStoredWidth, train, calibrationImages: 2000, seed: options.Seed!.Value);
        using var onePlanDataFree = onePlan.Prune(atStoredWidth);
        using var onePlanRecalibrated = onePlan.Prune(atStoredWidth, train, calibrationImages: 2000, seed: options.Seed!.Value);
        Assert.Equal(Scores(recalibrated, test), Scores(dataFree, test));
        Assert.NotEqual(Scores(onePlanRecalibrated, test), Scores(onePlanDataFree, test));

        // The returned network and every re-prune keep the first filters of the order the last epoch trained over.
        var order = ranged.FilterOrder!;
        Assert.Null(onePlan.FilterOrder);
        foreach (var (model, network) in new[] { (ranged, ranged.Network), (dataFree, dataFree.Network) })
        {
            using var scope = NewDisposeScope();
            var dense = model.DenseNetwork;
            Tensor? inputs = null;
            // SmallCnn's convs are a chain: each consumes the filters its predecessor kept.
            foreach (var layer in network.ConvLayers)
            {
                var denseLayer = dense.ConvLayers.First(l => l.Name == layer.Name);
                var kept = tensor(order.Kept(layer.Name, layer.OutChannels)!.Select(i => (long)i).ToArray());
                var weight = dense.GetConv(denseLayer).weight!.index_select(0, kept);
                weight = inputs is null ? weight : weight.index_select(1, inputs);
                Assert.True(layer.OutChannels < denseLayer.OutChannels);
                Assert.True(weight.equal(network.GetConv(layer).weight!).all().item<bool>(), $"{layer.Name} keeps other filters");
                inputs = kept;
            }
        }

        using var temp = new TempFolder();
        string path = temp.File("ranged.zip");
        Ml.Model.Save(ranged, train.Schema, path);
        using var loaded = (ElectrostaticCnnTransformer)Ml.Model.Load(path, out _);
        using var loadedDataFree = loaded.Prune(atStoredWidth);
        Assert.Equal(Scores(dataFree, test), Scores(loadedDataFree, test));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            Assert.Contains(zip.Entries, e => e.Name == ElectrostaticCnnTransformer.WidthStatisticsEntry);
            Assert.Contains(zip.Entries, e => e.Name == ElectrostaticCnnTransformer.FilterOrderEntry);
        }

        Assert.All(order.Convs, conv => Assert.Equal(order.Kept(conv, 5), loaded.FilterOrder!.Kept(conv, 5)));

        string onePlanPath = temp.File("one-plan.zip");
        Ml.Model.Save(onePlan, train.Schema, onePlanPath);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(onePlanPath))
        {
            Assert.DoesNotContain(zip.Entries, e => e.Name == ElectrostaticCnnTransformer.WidthStatisticsEntry);
            Assert.DoesNotContain(zip.Entries, e => e.Name == ElectrostaticCnnTransformer.FilterOrderEntry);
        }
    }

    [Fact]
    public void TheFirstBatchNormsRunningMeanBecomesTheMeanOfItsInputsOverTheCalibrationImages()
    {
        var images = FashionMnistSubset.Train(Ml, 2000);

        using var calibrated = Model.Value.Prune(PruningPlan.Uniform(0), images);

        var network = calibrated.Network;
        var layer = network.ConvLayers[0];
        float[] expected;
        using (NewDisposeScope())
        using (no_grad())
        {
            var pixels = tensor(images.GetColumn<VBuffer<float>>("Features").SelectMany(v => v.DenseValues()).ToArray(), [2000, 1, 28, 28]);
            expected = network.GetConv(layer).forward(pixels).mean([0, 2, 3]).data<float>().ToArray();
        }

        var batchNorm = network.GetBatchNorm(layer);
        float[] actual = batchNorm.running_mean!.data<float>().ToArray();
        Assert.All(expected.Zip(actual), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-4));
        // 2,000 images in batches of 200, counted; the momentum is back to PyTorch's default afterwards.
        Assert.Equal(10, batchNorm.num_batches_tracked!.item<long>());
        Assert.Equal(0.1, batchNorm.momentum);
        Assert.All(network.modules().OfType<TorchSharp.Modules.BatchNorm2d>(), b => Assert.Equal(network.training, b.training));
    }

    [Fact]
    public void RecalibrationChangesThePrunedStatisticsAndLeavesTheSourceModelUnchanged()
    {
        var test = FashionMnistSubset.Test(Ml, 200);
        var before = Scores(Model.Value, test);
        var densePlanMean = Model.Value.DenseNetwork.GetBatchNorm(Model.Value.DenseNetwork.ConvLayers[1]).running_mean!.data<float>().ToArray();

        using var dataFree = Model.Value.Prune(PruningPlan.Uniform(0.6));
        using var calibrated = Model.Value.Prune(PruningPlan.Uniform(0.6), FashionMnistSubset.Train(Ml, 3000));

        var layer = calibrated.Network.ConvLayers[1];
        Assert.NotEqual(
            dataFree.Network.GetBatchNorm(layer).running_mean!.data<float>().ToArray(),
            calibrated.Network.GetBatchNorm(layer).running_mean!.data<float>().ToArray());
        Assert.Equal(dataFree.Network.GetConv(layer).weight!.data<float>().ToArray(), calibrated.Network.GetConv(layer).weight!.data<float>().ToArray());
        Assert.NotEqual(Scores(dataFree, test), Scores(calibrated, test));
        Assert.Equal(before, Scores(Model.Value, test));
        Assert.Equal(densePlanMean, Model.Value.DenseNetwork.GetBatchNorm(Model.Value.DenseNetwork.ConvLayers[1]).running_mean!.data<float>().ToArray());

        // Ratio 0 removes nothing, so the pruned network could share the dense one's modules: it must not.
        using var zero = Model.Value.Prune(PruningPlan.Uniform(0), FashionMnistSubset.Train(Ml, 3000));
        Assert.NotEqual(densePlanMean, zero.Network.GetBatchNorm(zero.Network.ConvLayers[1]).running_mean!.data<float>().ToArray());
        Assert.Equal(densePlanMean, Model.Value.DenseNetwork.GetBatchNorm(Model.Value.DenseNetwork.ConvLayers[1]).running_mean!.data<float>().ToArray());
        Assert.Equal(before, Scores(Model.Value, test));
    }

    [Fact]
    public void TheSameSeedGivesTheSameStatisticsAndAnotherSeedOtherOnes()
    {
        var images = FashionMnistSubset.Train(Ml, 3000);
        var test = FashionMnistSubset.Test(Ml, 100);

        using var first = Model.Value.Prune(PruningPlan.Uniform(0.5), images, calibrationImages: 500, seed: 4);
        using var second = Model.Value.Prune(PruningPlan.Uniform(0.5), images, calibrationImages: 500, seed: 4);
        using var other = Model.Value.Prune(PruningPlan.Uniform(0.5), images, calibrationImages: 500, seed: 5);

        Assert.Equal(Scores(first, test), Scores(second, test));
        Assert.NotEqual(Scores(first, test), Scores(other, test));
    }

    [Fact]
    public void TheSweepRecalibratesEveryRatioWhenGivenCalibrationData()
    {
        var test = FashionMnistSubset.Test(Ml, 200);
        var images = FashionMnistSubset.Train(Ml, 2000);

        var rows = Model.Value.Sweep(test, [0.6], calibrationData: images);
        var plan = Model.Value.PruningPlan;
        using var calibrated = Model.Value.Prune(plan.SweepAt(CnnArchitecture.SmallCnn, 0.6), images);

        Assert.Equal(Ml.MulticlassClassification.Evaluate(calibrated.Transform(test)).MicroAccuracy, rows[0].Top1Accuracy, 12);
    }

    [Fact]
    public void CalibrationDataWithoutTheFeatureColumnIsNamedAsSuch()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new { Pixels = new float[784] } });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Model.Value.Prune(PruningPlan.Uniform(0.5), data));

        Assert.Contains("BatchNorm calibration data", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Features'", error.Message, StringComparison.Ordinal);
    }

    private static float[][] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray())];
}
