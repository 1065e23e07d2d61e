using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary><see cref="ElectrostaticCnnTrainer.Options.InputNormalization"/>: inside the network, in the saved model, checked against the images.</summary>
[Trait("Category", "Slow")]
public sealed class InputNormalizationOptionTests
{
    [Fact]
    public void TheNormalizationTrainsInsideTheNetworkAndTravelsWithTheSavedModel()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 128);
        var test = FashionMnistSubset.Test(ml, 50);
        var options = SmallTrainerOptions.Create();
        options.InputNormalization = new InputNormalization([0.29f], [0.35f]);
        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        using var plain = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train);
        var path = folder.File("model.zip");
        ml.Model.Save(model, train.Schema, path);

        using var loaded = Assert.IsType<ElectrostaticCnnTransformer>(ml.Model.Load(path, out _));

        Assert.Equal(options.InputNormalization, model.Network.InputNormalization);
        Assert.Equal(options.InputNormalization, loaded.Network.InputNormalization);
        Assert.Equal(Scores(model, test), Scores(loaded, test));
        Assert.NotEqual(Scores(plain, test), Scores(model, test));
        Assert.Contains("input normalization mean [0.29], std [0.35]", model.Summary.TrainingOptions, StringComparison.Ordinal);
    }

    [Fact]
    public void ANormalizationForAnotherChannelCountIsNamedWithBothCounts()
    {
        var ml = new MLContext(seed: 1);
        var options = SmallTrainerOptions.Create();
        options.InputNormalization = InputNormalization.ImageNet;

        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(FashionMnistSubset.Train(ml, 32)));

        Assert.Equal(nameof(ElectrostaticCnnTrainer.Options.InputNormalization), error.ParamName);
        Assert.Contains("3 channels", error.Message, StringComparison.Ordinal);
        Assert.Contains("1x28x28", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWarmStartKeepsItsModelsNormalizationAndRefusesAnother()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnistSubset.Train(ml, 64);
        var options = SmallTrainerOptions.Create();
        options.InputNormalization = new InputNormalization([0.29f], [0.35f]);
        using var initial = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        var other = SmallTrainerOptions.Create();
        other.InputNormalization = new InputNormalization([0.5f], [0.5f]);

        using var kept = ml.MulticlassClassification.Trainers.ElectrostaticCnn(SmallTrainerOptions.Create()).Fit(train, initial);
        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.ElectrostaticCnn(other).Fit(train, initial));

        Assert.Equal(options.InputNormalization, kept.Network.InputNormalization);
        Assert.Equal(nameof(ElectrostaticCnnTrainer.Options.InputNormalization), error.ParamName);
        Assert.Contains("mean [0.5], std [0.5]", error.Message, StringComparison.Ordinal);
        Assert.Contains("mean [0.29], std [0.35]", error.Message, StringComparison.Ordinal);
    }

    private static float[][] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray())];
}
