using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Experiments;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Regularization;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class ExperimentPresetTests
{
    [Fact]
    public void PresetsCarryTableOneSettings()
    {
        var cifar = ExperimentPresets.Find("resnet56-cifar10");
        var vgg = ExperimentPresets.Find("VGG19-CIFAR100");
        var imagenet = ExperimentPresets.Find("resnet34-imagenet");
        var mnist = ExperimentPresets.Find("resnet56-mnist");

        Assert.Equal(new TrainingRecipe(200, 128, 0.9, 0, "P1", true), cifar.Training);
        Assert.Equal(new TrainingRecipe(120, 128, 0.9, 5e-4, "P2", true), cifar.FineTuning);
        Assert.Equal(cifar.Training, vgg.Training);
        Assert.Equal(new TrainingRecipe(100, 512, 0.9, 5e-4, "P2", false), imagenet.Training);
        Assert.Equal(80, imagenet.FineTuning!.Epochs);
        Assert.Equal(new TrainingRecipe(200, 256, 0.9, 0, "P1", false), mnist.Training);
        Assert.Null(mnist.FineTuning);
    }

    [Fact]
    public void PresetsCarryTableTwoRatesAndPlans()
    {
        var cifar = ExperimentPresets.Find("resnet56-cifar10");
        var vgg = ExperimentPresets.Find("vgg19-cifar100");
        var imagenet = ExperimentPresets.Find("resnet34-imagenet");

        Assert.Equal((CnnArchitecture.ResNet56, 1e-16), (cifar.Architecture, cifar.Alpha));
        Assert.Equal(["[0,0.52,0.52,0.52,0]", "[0,0.6,0.6,0.6,0]", "[0,0.62,0.63,0.62,0]"], cifar.Plans.Select(p => p.Plan));
        Assert.Equal([2.17, 2.62, 2.73], cifar.Plans.Select(p => p.PaperSpeedup!.Value));
        Assert.Equal((CnnArchitecture.Vgg19, 1e-11, 100), (vgg.Architecture, vgg.Alpha, vgg.ClassCount));
        Assert.Equal(["[0:0,1-15:0.65]", "[0:0,1-15:0.70]"], vgg.Plans.Select(p => p.Plan));
        Assert.Equal((1e-17, "1.0,2.0,2.3,3.0,3.5"), (imagenet.Alpha, imagenet.Plans.Single().Skip));
        Assert.Equal(new ImageShape(3, 224, 224), imagenet.InputShape);
    }

    [Fact]
    public void CommandLineOptionsOverrideThePresetForCpuScaleRuns()
    {
        var settings = new ExperimentCommandSettings { Epochs = 2, FinetuneEpochs = 1, BatchSize = 64, Alpha = 1e-12, Plan = "0.3" };

        var resolved = ExperimentResolver.Resolve(ExperimentPresets.Find("resnet56-cifar10"), settings);

        Assert.Equal(new TrainingRecipe(2, 64, 0.9, 0, "P1", true), resolved.Training);
        Assert.Equal(new TrainingRecipe(1, 64, 0.9, 5e-4, "P2", true), resolved.FineTuning);
        Assert.Equal(1e-12, resolved.Alpha);
        Assert.Equal(RegularizerKind.ElectrostaticForce, resolved.Regularizer);
        Assert.Equal([new PresetPlan("0.3", null, null)], resolved.Plans);
        Assert.Equal(["--epochs", "--batch-size", "--finetune-epochs", "--plan", "--alpha"], resolved.Overridden);
    }

    [Fact]
    public void ZeroFineTuningEpochsTurnFineTuningOff()
    {
        var resolved = ExperimentResolver.Resolve(ExperimentPresets.Find("vgg19-cifar100"), new ExperimentCommandSettings { FinetuneEpochs = 0 });

        Assert.Null(resolved.FineTuning);
    }

    [Fact]
    public void APresetsNetworkCannotBeSwapped()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ExperimentResolver.Resolve(ExperimentPresets.Find("resnet56-cifar10"), new ExperimentCommandSettings { Architecture = "Vgg19" }));

        Assert.Contains("defined for ResNet56", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRecipeReadsLikeThePaper()
    {
        Assert.Equal("SGD(0.9, 5e-4), P2, 120 epochs, batch 128, augmented", new TrainingRecipe(120, 128, 0.9, 5e-4, "P2", true).ToString());
        Assert.Equal("SGD(0.9, 0), P1, 200 epochs, batch 256", new TrainingRecipe(200, 256, 0.9, 0, "P1", false).ToString());
    }
}
