using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>
/// The public path for PyTorch weights: <c>mlContext.Model.LoadPyTorchWeights</c> gives a model that scores as PyTorch does,
/// <c>Fit(data, pretrained)</c> continues from it (a fresh classifier for another class count, said in the summary),
/// <c>SavePyTorch</c> writes the pruned network back.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PretrainedModelTests(PyTorchReferenceFixture files) : IClassFixture<PyTorchReferenceFixture>
{
    private static readonly ImageShape Cifar = new(3, 32, 32);

    [Fact]
    public void ALoadedAkamasterResNet20ScoresWithPyTorchsSoftmax()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Model.LoadPyTorchWeights(files.File("resnet20.pth"), CnnArchitecture.ResNet20, Cifar);
        using var expected = nn.functional.softmax(files.Logits("resnet20"), 1);

        var scores = Scores(model, Rows(ml, files.Input, 10));

        Assert.Equal(10, model.Summary.ClassCount);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], model.Summary.ClassNames);
        Assert.Equal(1.0, model.Summary.Speedup);
        Assert.StartsWith("pretrained: PyTorch weights", model.Summary.TrainingOptions, StringComparison.Ordinal);
        float[] want = expected.data<float>().ToArray();
        float[] got = [.. scores.SelectMany(s => s)];
        Assert.Equal(want.Length, got.Length);
        Assert.All(want.Zip(got), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-4));
    }

    [Fact]
    public void FitFromPretrainedWeightsWithAnotherClassCountReplacesTheClassifierAndSaysSo()
    {
        var ml = new MLContext(seed: 1);
        using var pretrained = ml.Model.LoadPyTorchWeights(files.File("resnet20.pth"), CnnArchitecture.ResNet20, Cifar);
        var data = Rows(ml, Random(24, seed: 3), 3);
        var trainer = ml.MulticlassClassification.Trainers.ElectrostaticCnn(AlmostFrozen(CnnArchitecture.ResNet20));

        using var model = trainer.Fit(data, pretrained);
        using var again = trainer.Fit(data, pretrained);

        Assert.Equal(3, model.Summary.ClassCount);
        Assert.Contains("warm start from PyTorch weights", model.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.Contains("classifier 'linear' replaced by a freshly initialised one: 10 classes in the weights, 3 in the data", model.Summary.TrainingOptions, StringComparison.Ordinal);
        // Everything but the classifier continues from the file (a rate of 1e-9 barely moves it); the fresh classifier is seeded.
        Assert.True(MaxDifference(pretrained, model, "conv1.weight") < 1e-5);
        Assert.True(MaxDifference(pretrained, model, "layer3.2.bn2.weight") < 1e-5);
        Assert.Equal(Scores(model, data), Scores(again, data));
    }

    [Fact]
    public void FitFromPretrainedWeightsWithTheSameClassCountKeepsTheClassifier()
    {
        var ml = new MLContext(seed: 1);
        using var pretrained = ml.Model.LoadPyTorchWeights(files.File("resnet20.pth"), CnnArchitecture.ResNet20, Cifar);

        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(AlmostFrozen(CnnArchitecture.ResNet20)).Fit(Rows(ml, Random(20, seed: 4), 10), pretrained);

        Assert.DoesNotContain("replaced", model.Summary.TrainingOptions, StringComparison.Ordinal);
        Assert.True(MaxDifference(pretrained, model, "linear.weight") < 1e-5);
    }

    [Fact]
    public void APrunedModelSavedForPyTorchLoadsBackWithItsWidthsClassNamesAndScores()
    {
        var ml = new MLContext(seed: 1);
        using var folder = new TempFolder();
        using var pretrained = ml.Model.LoadPyTorchWeights(files.File("resnet20.pth"), CnnArchitecture.ResNet20, Cifar);
        using var pruned = pretrained.Prune(PruningPlan.PaperSweep(CnnArchitecture.ResNet20, 0.5));
        var path = folder.File("pruned.safetensors");

        pruned.SavePyTorch(path);
        using var loaded = ml.Model.LoadPyTorchWeights(path, CnnArchitecture.ResNet20, Cifar);

        var data = Rows(ml, files.Input, 10);
        Assert.Equal(pruned.Summary.Pruned, loaded.Summary.Dense);
        Assert.Equal(pruned.Summary.ClassNames, loaded.Summary.ClassNames);
        Assert.Equal(Scores(pruned, data), Scores(loaded, data));
    }

    [Fact]
    public void AWrongArchitectureForTheFileNamesTheFileAndWhatDiffers()
    {
        var ml = new MLContext(seed: 1);

        var error = Assert.Throws<ArgumentException>(() => ml.Model.LoadPyTorchWeights(files.File("resnet18.pth"), CnnArchitecture.ResNet20, Cifar));

        Assert.Contains("resnet18.pth", error.Message, StringComparison.Ordinal);
    }

    private static ElectrostaticCnnTrainer.Options AlmostFrozen(CnnArchitecture architecture) => new()
    {
        Architecture = architecture,
        Epochs = 1,
        BatchSize = 8,
        WarmupEpochs = 0,
        LearningRateSchedule = LearningRateSchedule.Constant(1e-9),
        Regularizer = null,
        PruningPlan = PruningPlan.Uniform(0),
        Seed = 7,
        Device = TrainingDevice.Cpu,
    };

    private static double MaxDifference(ElectrostaticCnnTransformer a, ElectrostaticCnnTransformer b, string name)
    {
        using var scope = NewDisposeScope();
        return (a.DenseNetwork.state_dict()[name] - b.DenseNetwork.state_dict()[name]).abs().max().item<float>();
    }

    private static Tensor Random(int count, int seed)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        return rand([count, 3, 32, 32], generator: generator);
    }

    private static IDataView Rows(MLContext ml, Tensor images, int classes)
    {
        int count = (int)images.shape[0];
        float[] pixels = images.contiguous().data<float>().ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, 32, 32);
        schema[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        return ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, count).Select(i => new Row { Features = pixels.AsSpan(i * 3072, 3072).ToArray(), Label = (uint)(i % classes) }),
            schema);
    }

    private static float[][] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray())];

    /// <summary>One image and its key label.</summary>
    public sealed class Row
    {
        /// <summary>3 x 32 x 32 pixels.</summary>
        public float[] Features { get; set; } = [];

        /// <summary>Class index, 0-based (LoadFromEnumerable stores it as key index + 1).</summary>
        public uint Label { get; set; }
    }
}
