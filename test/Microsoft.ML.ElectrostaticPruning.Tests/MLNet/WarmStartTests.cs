using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Training;
using Microsoft.ML.Transforms;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// Warm start: <c>trainer.Fit(data, initialModel)</c> continues from a trained model's dense network, never change that model, and reject models that do not fit.
/// </summary>
[Trait("Category", "Slow")]
public sealed class WarmStartTests
{
    [Fact]
    public void ContinuingFromATrainedModelStartsWithALowerLossThanAFreshRunWithTheSameSeed()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 256);
        // The full network alone: with sandwich training (the default AnyRatio) the 8 steps of an epoch also train the
        // sub-networks, and the full network's train accuracy after the warm-start epoch came within one image of the fresh
        // run's (0.355 vs 0.359 of 256), which says nothing about the warm start itself.
        var options = SmallTrainerOptions.Create();
        options.AnyRatio = null;
        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options);

        // Same options and seed: 'initial' is exactly the fresh run a warm start is compared with.
        using var initial = trainer.Fit(train);
        using var warm = trainer.Fit(train, initial);
        using var warmer = trainer.Fit(train, warm);

        var fresh = initial.Summary.Training;
        Assert.True(warm.Summary.Training[0].Loss < fresh[0].Loss, $"warm-start epoch 1 loss {warm.Summary.Training[0].Loss} vs fresh {fresh[0].Loss}");
        Assert.True(warm.Summary.Training[0].TrainAccuracy >= fresh[0].TrainAccuracy, $"warm-start epoch 1 accuracy {warm.Summary.Training[0].TrainAccuracy} vs fresh {fresh[0].TrainAccuracy}");
        Assert.Single(warm.Summary.Training);
        Assert.Equal(0, warm.Summary.Training[0].Epoch);
        Assert.EndsWith("; warm start from a model trained 1 epoch", warm.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.EndsWith("; warm start from a model trained 2 epochs", warmer.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.DoesNotContain("warm start", initial.Summary.TrainingOptions, StringComparison.Ordinal);
    }

    [Fact]
    public void AWarmStartIsReproducedExactlyAndLeavesTheInitialModelUnchanged()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        var test = FashionMnistSubset.Test(ml, 64);
        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create());
        using var initial = trainer.Fit(train);
        var scores = Scores(initial, test);
        var summary = initial.Summary.ToString();
        var denseScores = PrunedScores(initial, test);

        using var first = trainer.Fit(train, initial);
        torch.manual_seed(12345);
        using var second = trainer.Fit(train, initial);

        Assert.Equal(Scores(first, test), Scores(second, test));
        Assert.Equal(first.Summary.Training.Select(e => e.Loss), second.Summary.Training.Select(e => e.Loss));
        Assert.NotEqual(scores, Scores(first, test));
        Assert.Equal(scores, Scores(initial, test));
        Assert.Equal(denseScores, PrunedScores(initial, test));
        Assert.Equal(summary, initial.Summary.ToString());
    }

    [Fact]
    public void AModelSavedAloneOrInAChainAndLoadedWarmStartsExactlyAsTheModelInMemory()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        var test = FashionMnistSubset.Test(ml, 64);
        using var initial = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        var alone = Path.Combine(folder.Path, "alone.zip");
        var inChain = Path.Combine(folder.Path, "chain.zip");
        ml.Model.Save(initial, train.Schema, alone);
        var keyToText = ml.Transforms.Conversion.MapKeyToValue("LabelText", "Label").Fit(train);
        ml.Model.Save(new TransformerChain<ITransformer>(keyToText, initial), train.Schema, inChain);

        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create());
        using var loaded = Assert.IsType<ElectrostaticCnnTransformer>(ml.Model.Load(alone, out _));
        var chain = Assert.IsType<TransformerChain<ITransformer>>(ml.Model.Load(inChain, out _));
        using var fromMemory = trainer.Fit(train, initial);
        using var fromFile = trainer.Fit(train, loaded);
        using var fromChain = trainer.Fit(train, Assert.IsType<ElectrostaticCnnTransformer>(chain.LastTransformer));

        var expected = Scores(fromMemory, test);
        Assert.Equal(expected, Scores(fromFile, test));
        Assert.Equal(expected, Scores(fromChain, test));
        Assert.Equal(fromMemory.Summary.TrainingOptions, fromFile.Summary.TrainingOptions);
        chain.Dispose();
    }

    [Fact]
    public void AModelOfAnotherArchitectureIsRejectedNamingTheOptionAndBothNetworks()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        using var initial = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        var options = SmallTrainerOptions.Create();
        options.Architecture = CnnArchitecture.ResNet20;
        options.PruningPlan = PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0]");

        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train, initial));

        Assert.Equal("initialModel", error.ParamName);
        Assert.StartsWith("initialModel is a SmallCnn but Options.Architecture is ResNet20; set Options.Architecture = SmallCnn or pass a ResNet20 model.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALabelWithOtherClassesOrTheSameClassesInAnotherOrderIsRejectedNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        using var initial = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create());
        var threeClasses = ml.Data.FilterRowsByKeyColumnFraction(train, "Label", 0, 0.3);
        var rekeyed = Rekey(ml, threeClasses, ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence);
        var sorted = Rekey(ml, train, ValueToKeyMappingEstimator.KeyOrdinality.ByValue);

        var count = Assert.Throws<ArgumentException>(() => trainer.Fit(rekeyed, initial));
        var names = Assert.Throws<ArgumentException>(() => trainer.Fit(sorted, initial));

        Assert.StartsWith("initialModel has 10 classes but label column 'Label' has 3;", count.Message, StringComparison.Ordinal);
        Assert.StartsWith("initialModel's classes differ from label column 'Label': key 1 is 'T-shirt/top' in the model but 'Ankle boot' in the data;", names.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImagesOfAnotherShapeAreRejectedNamingTheColumnAndBothShapes()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        using var initial = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        var schema = SchemaDefinition.Create(typeof(FlatRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 196);
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), 10);
        var small = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new FlatRow { Features = new float[196], Label = (uint)(i % 10) }), schema);

        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(small, initial));

        Assert.StartsWith("initialModel was trained on 1x28x28 images (C x H x W, 784 values) but feature column 'Features' holds 1x14x14 images (196 values);", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADisposedModelIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        var initial = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        initial.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train, initial));
    }

    private static IDataView Rekey(MLContext ml, IDataView data, ValueToKeyMappingEstimator.KeyOrdinality ordinality) =>
        ml.Transforms.Conversion.MapKeyToValue("LabelValue", "Label")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", "LabelValue", keyOrdinality: ordinality))
            .Fit(data).Transform(data);

    private static float[][] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray())];

    /// <summary>Scores of another pruning of the dense network: changes if the dense network itself changed.</summary>
    private static float[][] PrunedScores(ElectrostaticCnnTransformer model, IDataView data)
    {
        using var pruned = model.Prune(PruningPlan.Uniform(0.25));
        return Scores(pruned, data);
    }

    /// <summary>A row with a flat feature vector; the schema definition sets its size and the label's key type.</summary>
    public sealed class FlatRow
    {
        /// <summary>Pixels.</summary>
        public float[] Features { get; set; } = [];

        /// <summary>Class index.</summary>
        public uint Label { get; set; }
    }
}
