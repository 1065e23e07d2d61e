using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Every kind of bad input fails before training with a message that names the column or option.</summary>
public sealed class BadInputTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void AMissingFeatureColumnIsNamedWithTheAvailableColumns()
    {
        var data = _ml.Data.LoadFromEnumerable(Rows(4), SchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(featureColumnName: "Pixels", epochs: 1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.Contains("Could not find feature column 'Pixels'. The data has the columns 'Features', 'Label'", ex.Message);
    }

    [Fact]
    public void AMissingLabelColumnIsNamed()
    {
        var data = _ml.Data.LoadFromEnumerable(Rows(4), SchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(labelColumnName: "Class", epochs: 1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.Contains("Could not find label column 'Class'", ex.Message);
    }

    [Fact]
    public void ALabelThatIsNotAKeySaysToUseMapValueToKey()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Features = new float[16], Label = "cat" } });
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 1);
        const string expected = "Schema mismatch for label column 'Label': expected Key, got String. Use mlContext.Transforms.Conversion.MapValueToKey(\"Label\") first.";

        Assert.StartsWith(expected, Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data)).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 1).Append(_ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(data)).Message);
    }

    [Fact]
    public void AFeatureVectorOfUnknownSizeIsRejected()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new VariableFeatureRow { Features = new float[16], Label = 0 } }, VariableSchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.Contains("Schema mismatch for feature column 'Features': expected a vector of Single of known size (C x H x W)", ex.Message);
        Assert.Contains("got Vector<Single>", ex.Message);
    }

    [Fact]
    public void AnImageShapeThatDoesNotMatchTheFeatureSizeIsRejected()
    {
        var data = _ml.Data.LoadFromEnumerable(Rows(4), SchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, ImageShape = new ImageShape(3, 4, 4) });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        Assert.Equal("ImageShape", ex.ParamName);
        Assert.Contains("ImageShape 3x4x4 has 48 values, but feature column 'Features' holds 16 per row", ex.Message);
    }

    [Fact]
    public void AFeatureSizeThatIsNoSquareImageNeedsAnExplicitShape()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new FlatRow { Features = new float[50], Label = 0 } }, FlatSchemaWithKey(50, 3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 1);

        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(data));
        Assert.Contains("Cannot infer the image shape from feature column 'Features' (Vector<Single, 50>): 50 is neither s*s (grayscale) nor 3*s*s (colour). Set Options.ImageShape", ex.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void NonFiniteFeaturesNameTheRowAndSlot(float bad, string shown)
    {
        var rows = Rows(6);
        rows[3].Features[5] = bad;
        var data = _ml.Data.LoadFromEnumerable(rows, SchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 2 });

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));
        Assert.StartsWith($"Row 3 of the training data: feature column 'Features' holds {shown} at slot 5; the network can only train on finite values.", ex.Message);
    }

    [Theory]
    [InlineData(0u, "holds a missing key (0), i.e. a value that is not one of the 3 known classes")]
    [InlineData(7u, "holds key 7, outside the key range 1..3")]
    public void ALabelOutsideTheKeyRangeNamesTheRow(uint key, string message)
    {
        // Raw key values: 1..3 are the classes, 0 is "missing"; LoadFromEnumerable never emits values above the count.
        var data = new RawKeyDataView(_ml.Data.LoadFromEnumerable(Rows(6), SchemaWithKey(3)), "Label", row => row == 4 ? key : (uint)(row % 3) + 1);
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 2 });

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data));
        Assert.StartsWith($"Row 4 of the training data: label column 'Label' {message}", ex.Message);
    }

    [Fact]
    public void AnEmptyTrainingSetIsRejected()
    {
        var data = _ml.Data.LoadFromEnumerable(Array.Empty<Row>(), SchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 1);

        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(data));
        Assert.StartsWith("The training data has no rows", ex.Message);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void ATrainingSetSmallerThanTheBatchTrainsWithOneBatchOfAllRows()
    {
        // The simple overload's default batch (128) on 10 rows: nothing the user cannot fix is rejected.
        var data = _ml.Data.LoadFromEnumerable(Rows(10), SchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 1);

        using var model = trainer.Fit(data);
        Assert.Contains("batch 10,", model.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.Single(model.Summary.Training);
    }

    [Theory]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.Epochs), "at least 1")]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.BatchSize), "at least 1")]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.Momentum), "[0, 1)")]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.FineTuneEpochs), "at least 0")]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.InferenceBatchSize), "at least 1")]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.CalibrationImages), "at least 0")]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.FineTuneWeightDecay), "at least 0")]
    [InlineData(nameof(ElectrostaticCnnTrainer.Options.Architecture), "SmallCnn, ResNet20, ResNet32, ResNet44, ResNet56, ResNet110, Vgg11, Vgg13, Vgg16, Vgg19, ResNet18, ResNet34, ResNet50")]
    public void OutOfRangeOptionsAreNamedWithTheirValidRangeWhenTheTrainerIsCreated(string option, string range)
    {
        var options = new ElectrostaticCnnTrainer.Options();
        object value = option switch
        {
            nameof(ElectrostaticCnnTrainer.Options.Momentum) => 1.0,
            nameof(ElectrostaticCnnTrainer.Options.FineTuneEpochs) => -1,
            nameof(ElectrostaticCnnTrainer.Options.CalibrationImages) => -1,
            nameof(ElectrostaticCnnTrainer.Options.FineTuneWeightDecay) => -5e-4,
            nameof(ElectrostaticCnnTrainer.Options.Architecture) => (CnnArchitecture)99,
            _ => 0,
        };
        typeof(ElectrostaticCnnTrainer.Options).GetProperty(option)!.SetValue(options, value);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(options));
        Assert.Equal(option, ex.ParamName);
        Assert.StartsWith(option, ex.Message, StringComparison.Ordinal);
        Assert.Contains(range, ex.Message, StringComparison.Ordinal);
        Assert.Equal(value, ex.ActualValue);
    }

    [Fact]
    public void AnOutOfRangeRegularizerSettingIsNamedByItsKindWhenTheTrainerIsCreated()
    {
        var options = new ElectrostaticCnnTrainer.Options { Regularizer = new FoldedForceRegularizer.Options { CoulombConstant = 0 } };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(options));

        Assert.Equal("FoldedForceRegularizer.Options.CoulombConstant", ex.ParamName);
        Assert.Equal(0.0, ex.ActualValue);
        Assert.Contains("greater than 0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void ASubNetworkWeightOutsideZeroToOneIsNamedWithItsRange(double weight)
    {
        var options = new ElectrostaticCnnTrainer.Options { Epochs = 4, AnyRatio = new AnyRatioTrainingOptions { SubNetworkWeight = weight } };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(options));

        Assert.Equal("AnyRatioTrainingOptions.SubNetworkWeight", ex.ParamName);
        Assert.Contains("(0, 1]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void ASandwichStartEpochOutsideTheRunIsNamedWithTheEpochRange(int start)
    {
        var options = new ElectrostaticCnnTrainer.Options { Epochs = 4, AnyRatio = new AnyRatioTrainingOptions { StartEpoch = start } };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(options));

        Assert.Equal("AnyRatioTrainingOptions.StartEpoch", ex.ParamName);
        Assert.Equal(start, ex.ActualValue);
        Assert.Contains("[0, Epochs) = [0, 4)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnparsablePruningPlanNamesTheToken()
    {
        var ex = Assert.Throws<FormatException>(() => _ml.MulticlassClassification.Trainers.ElectrostaticCnn(pruningPlan: "[0, half]"));
        Assert.Contains("half", ex.Message);
    }

    [Fact]
    public void APlanThatPrunesNothingCannotCarryARegularizer()
    {
        var data = _ml.Data.LoadFromEnumerable(Rows(4), SchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 2, PruningPlan = PruningPlan.Uniform(0) });

        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(data));
        Assert.Equal(nameof(ElectrostaticCnnTrainer.Options.PruningPlan), ex.ParamName);
        Assert.Contains("'0' prunes no convolution of SmallCnn", ex.Message, StringComparison.Ordinal);
        Assert.Contains("folded force", ex.Message, StringComparison.Ordinal);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void TransformRejectsFeaturesOfAnotherSize()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 4, Seed = 1 })
            .Fit(ml.Data.LoadFromEnumerable(Rows(8), SchemaWithKey(3)));
        var other = ml.Data.LoadFromEnumerable(new[] { new FlatRow { Features = new float[25], Label = 0 } }, FlatSchemaWithKey(25, 3));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
        Assert.Contains("Schema mismatch for feature column 'Features': expected Vector<Single, 16>, the size the model was trained on, got Vector<Single, 25>.", ex.Message);
    }

    [Fact]
    public void AValidationSetWithoutTheFeatureColumnIsNamedAndTheAdviceIsToRunThePipelineFirst()
    {
        // ML.NET's sample passes its raw test split: image paths and a text label, before LoadImages and MapValueToKey.
        var raw = _ml.Data.LoadFromEnumerable(new[] { new RawImageRow { ImagePath = "a.png", Label = "cat" } });
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 2, ValidationSet = raw });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(_ml.Data.LoadFromEnumerable(Rows(4), SchemaWithKey(3))));

        Assert.Contains("'Features'", ex.Message);
        Assert.Contains("validation set (Options.ValidationSet)", ex.Message);
        Assert.Contains("'ImagePath', 'Label'", ex.Message);
        Assert.Contains("pipeline's steps before the trainer", ex.Message);
        Assert.DoesNotContain("column name option", ex.Message);
    }

    [Fact]
    public void AValidationSetWithATextLabelIsNamed()
    {
        var validation = _ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Features = new float[16], Label = "cat" } });
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 2, ValidationSet = validation });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(_ml.Data.LoadFromEnumerable(Rows(4), SchemaWithKey(3))));

        Assert.Contains("label column 'Label' of the validation set (Options.ValidationSet)", ex.Message);
        Assert.Contains("expected Key, got String", ex.Message);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void FineTuningAndSweepDataWithoutTheFeatureColumnAreNamed()
    {
        using var model = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 4, Seed = 1 })
            .Fit(_ml.Data.LoadFromEnumerable(Rows(8), SchemaWithKey(3)));
        var raw = _ml.Data.LoadFromEnumerable(new[] { new RawImageRow { ImagePath = "a.png", Label = "cat" } });

        var fineTune = Assert.Throws<ArgumentOutOfRangeException>(() => model.FineTune(raw));
        var fineTuneValidation = Assert.Throws<ArgumentOutOfRangeException>(() => model.FineTune(
            _ml.Data.LoadFromEnumerable(Rows(8), SchemaWithKey(3)), new ElectrostaticCnnTransformer.FineTuneOptions { Epochs = 1, ValidationSet = raw }));
        var sweep = Assert.Throws<ArgumentOutOfRangeException>(() => model.Sweep(raw));

        Assert.Contains("in the fine-tuning data", fineTune.Message);
        Assert.Contains("fine-tuning validation set (FineTuneOptions.ValidationSet)", fineTuneValidation.Message);
        Assert.Contains("in the sweep's test data", sweep.Message);
        Assert.All(new[] { fineTune, fineTuneValidation, sweep }, e => Assert.Contains("pipeline's steps before the trainer", e.Message));
    }

    [Fact]
    public void AWarmStartsTrainingDataIsNamed()
    {
        using var pretrained = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 4, Seed = 1 })
            .Fit(_ml.Data.LoadFromEnumerable(Rows(8), SchemaWithKey(3)));
        var data = _ml.Data.LoadFromEnumerable(new[] { new VariableFeatureRow { Features = new float[16], Label = 0 } }, VariableSchemaWithKey(3));
        var trainer = _ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 4 });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data, pretrained));

        Assert.Contains("feature column 'Features' of the warm start's training data", ex.Message);
    }

    /// <summary>4x4 grayscale rows with classes cycling 0..2 (LoadFromEnumerable stores key value + 1) and pixel values that differ per class.</summary>
    private static Row[] Rows(int count) =>
        Enumerable.Range(0, count).Select(i => new Row { Features = Enumerable.Repeat((i % 3) / 3f, 16).ToArray(), Label = (uint)(i % 3) }).ToArray();

    private SchemaDefinition SchemaWithKey(int classes)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes);
        return schema;
    }

    private SchemaDefinition VariableSchemaWithKey(int classes)
    {
        var schema = SchemaDefinition.Create(typeof(VariableFeatureRow));
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes);
        return schema;
    }

    private SchemaDefinition FlatSchemaWithKey(int size, int classes)
    {
        var schema = SchemaDefinition.Create(typeof(FlatRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes);
        return schema;
    }

    public sealed class Row
    {
        [VectorType(1, 4, 4)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    public sealed class VariableFeatureRow
    {
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    public sealed class FlatRow
    {
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    public sealed class RawImageRow
    {
        public string ImagePath { get; set; } = string.Empty;

        public string Label { get; set; } = string.Empty;
    }

    public sealed class TextLabelRow
    {
        [VectorType(16)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = string.Empty;
    }
}
