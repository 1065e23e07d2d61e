using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Experiments;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class ExperimentPresetTests
{
    [Fact]
    public void EveryPresetNameTheReadmeAndTheTestsUseExists()
    {
        foreach (var name in new[] { "resnet56-cifar10", "vgg19-cifar100", "resnet34-imagenet", "resnet56-mnist", "figure2-fashion", "figure2-fashion-small" })
        {
            Assert.NotNull(ExperimentPresets.TryFind(name));
        }

        Assert.Same(ExperimentPresets.Find("resnet56-cifar10"), ExperimentPresets.Find(" RESNET56-CIFAR10 "));
    }

    [Fact]
    public void PresetsCarryTableOneSettings()
    {
        var cifar = ExperimentPresets.Find("resnet56-cifar10");
        var imagenet = ExperimentPresets.Find("resnet34-imagenet");
        var mnist = ExperimentPresets.Find("resnet56-mnist");

        Assert.Equal(new TrainingRecipe(200, 128, 0.9, 0, "P1", true), cifar.Training);
        Assert.Equal(new TrainingRecipe(120, 128, 0.9, 5e-4, "P2", true), cifar.FineTuning);
        Assert.Equal(cifar.Training, ExperimentPresets.Find("vgg19-cifar100").Training);
        Assert.Equal(new TrainingRecipe(100, 512, 0.9, 5e-4, "P2", false), imagenet.Training);
        Assert.Equal(80, imagenet.FineTuning!.Epochs);
        Assert.Equal(new TrainingRecipe(200, 256, 0.9, 0, "P1", false), mnist.Training);
        Assert.Null(mnist.FineTuning);
    }

    [Theory]
    [InlineData("resnet56-cifar10", typeof(ElectrostaticForceRegularizer.Options), 1e-16)]
    [InlineData("vgg19-cifar100", typeof(ElectrostaticForceRegularizer.Options), 1e-11)]
    [InlineData("resnet34-imagenet", typeof(ElectrostaticForceRegularizer.Options), 1e-17)]
    public void APaperPresetTrainsThePapersForceAtTableTwosRate(string name, Type kind, double alpha)
    {
        var experiment = Resolve(name);

        var force = Assert.Single(experiment.Methods);
        Assert.IsType(kind, force);
        Assert.Equal(alpha, ((ElectrostaticForceRegularizer.Options)force!).ForceRate);
        Assert.Empty(experiment.Ratios);
        Assert.Equal([1], experiment.Seeds);
    }

    [Fact]
    public void TheSkipListOfResNet34IsPartOfItsPlan()
    {
        var plan = Resolve("resnet34-imagenet").TrainingPlan;

        Assert.Equal(["1.0", "2.0", "2.3", "3.0", "3.5"], plan.SkippedBlocks);
    }

    [Fact]
    public void APaperPresetsTrainingOptionsAreTableOnesAndItsFirstPlan()
    {
        var experiment = Resolve("resnet56-cifar10");
        var options = experiment.Options(experiment.Methods[0], seed: 3);

        Assert.Equal((CnnArchitecture.ResNet56, 200, 128, 0.9, 0.0, true, 3), (options.Architecture, options.Epochs, options.BatchSize, options.Momentum, options.WeightDecay, options.Augment, options.Seed));
        Assert.Equal(LearningRateSchedule.P1.ToString(), options.LearningRateSchedule.ToString());
        Assert.Equal(PruningPlan.Parse("[0,0.52,0.52,0.52,0]"), options.PruningPlan);
        var fineTune = experiment.FineTuneOptions(3)!;
        Assert.Equal((120, 5e-4, LearningRateSchedule.P2.ToString()), (fineTune.Epochs, fineTune.WeightDecay, fineTune.LearningRateSchedule.ToString()));
    }

    [Fact]
    public void AStudyPretrainsPlainThenTrainsEveryMethodOnTwoSeedsAndSweeps()
    {
        var experiment = Resolve("figure2-fashion-small");

        Assert.Equal(10, experiment.Methods.Count);
        Assert.Null(experiment.Methods[0]);
        Assert.Equal([1, 2], experiment.Seeds);
        Assert.Equal(10, experiment.Ratios.Count);
        Assert.Equal(["l1", "folded", "folded+comp"], experiment.Variants.Select(v => v.Name));
        var pretraining = experiment.PretrainingOptions(2);
        Assert.Equal((4, (PruningRegularizer.OptionsBase?)null, 2), (pretraining.Epochs, pretraining.Regularizer, pretraining.Seed));
        Assert.Equal("0:0.02,2:0.002,3:0.0002", pretraining.LearningRateSchedule.ToString());
        Assert.Equal(PruningPlan.PaperSweep(CnnArchitecture.SmallCnn, 0.5), experiment.TrainingPlan);
    }

    [Fact]
    public void CommandLineOptionsOverrideThePresetForCpuScaleRuns()
    {
        var experiment = Resolve("resnet56-cifar10", new ExperimentCommandSettings { Epochs = 2, FinetuneEpochs = 1, BatchSize = 64, Alpha = 1e-12, Plan = "0.3" });

        Assert.Equal(new TrainingRecipe(2, 64, 0.9, 0, "P1", true), experiment.Training);
        Assert.Equal(new TrainingRecipe(1, 64, 0.9, 5e-4, "P2", true), experiment.FineTuning);
        Assert.Equal(1e-12, Assert.IsType<ElectrostaticForceRegularizer.Options>(Assert.Single(experiment.Methods)).ForceRate);
        Assert.Equal([new PresetPlan("0.3", null)], experiment.Plans);
        Assert.Equal(["--epochs", "--batch-size", "--plan", "--finetune-epochs", "--alpha"], experiment.Overridden);
    }

    [Fact]
    public void CompareAddsThePlainAndL1BaselinesAndTheSweep()
    {
        var experiment = Resolve("resnet56-mnist", new ExperimentCommandSettings { Compare = true, L1Rate = 0.03, Ratios = "0,0.5" });

        Assert.Equal(["none", "l1", "electrostatic"], experiment.Methods.Select(Regularizers.KindOf));
        Assert.Equal(0.03, ((L1Regularizer.Options)experiment.Methods[1]!).Rate);
        Assert.Equal([0, 0.5], experiment.Ratios);
    }

    [Fact]
    public void MethodsSeedsAndPretrainingCanBeReplaced()
    {
        var experiment = Resolve("figure2-fashion", new ExperimentCommandSettings { Methods = "plain,folded:5e-12", Seeds = "3", PretrainEpochs = 1, Seed = 9 });

        Assert.Equal(2, experiment.Methods.Count);
        Assert.Equal(5e-12, ((FoldedForceRegularizer.Options)experiment.Methods[1]!).ForceRate);
        Assert.Equal([3], experiment.Seeds);
        Assert.Equal(1, experiment.PretrainEpochs);
        Assert.Equal([1, 2, 3], Resolve("figure2-fashion", new ExperimentCommandSettings { Seed = 1, Seeds = "1,2,3" }).Seeds);
        Assert.Equal([9, 10], Resolve("figure2-fashion", new ExperimentCommandSettings { Seed = 9 }).Seeds);
    }

    [Fact]
    public void ZeroFineTuningEpochsTurnFineTuningOff()
    {
        var experiment = Resolve("vgg19-cifar100", new ExperimentCommandSettings { FinetuneEpochs = 0 });

        Assert.Null(experiment.FineTuning);
        Assert.Null(experiment.FineTuneOptions(1));
    }

    [Fact]
    public void APresetsNetworkCannotBeSwapped()
    {
        var error = Assert.Throws<ArgumentException>(() => Resolve("resnet56-cifar10", new ExperimentCommandSettings { Architecture = "Vgg19" }));

        Assert.StartsWith("--architecture", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResNet56", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARegularizerFlagNoMethodHasIsAnError()
    {
        var error = Assert.Throws<ArgumentException>(() => Resolve("resnet56-cifar10", new ExperimentCommandSettings { SlimmingRate = 1e-4 }));

        Assert.StartsWith("--slimming-rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRecipeReadsLikeThePaperAndScalesP1ToTheBudget()
    {
        Assert.Equal("SGD(0.9, 5e-4), P2, 120 epochs, batch 128, augmented", new TrainingRecipe(120, 128, 0.9, 5e-4, "P2", true).ToString());
        Assert.Equal("SGD(0.9, 0), P1, 200 epochs, batch 256", new TrainingRecipe(200, 256, 0.9, 0, "P1", false).ToString());
        var scaled = new TrainingRecipe(6, 128, 0.9, 0, "P1 from 0.1", false);
        Assert.Equal("0:0.1,3:0.01,4:0.001", scaled.ScheduleFor(6).ToString());
        Assert.Equal("0:0.1,1:0.01", scaled.ScheduleFor(2).ToString());
        Assert.Equal("0:0.1", scaled.ScheduleFor(1).ToString());
    }

    [Fact]
    public void PresetsTrainOneMethodPerModelWithoutAnyRatioTrainingUnlessAnyRatioIsGivenAndThenOnlyTheFoldedForce()
    {
        var preset = Resolve("figure2-fashion-small");
        Assert.All(preset.Methods, m => Assert.Null(preset.Options(m, 1).AnyRatio));
        Assert.Null(preset.PretrainingOptions(1).AnyRatio);

        var asked = Resolve("figure2-fashion", new ExperimentCommandSettings { AnyRatio = "0.2-0.6", Methods = "plain,l1,slimming,electrostatic,folded:1e-12,folded-untargeted" });
        Assert.Equal(
            [null, null, null, null, (0.2, 0.6), (0.2, 0.6)],
            asked.Methods.Select(m => asked.Options(m, 1).AnyRatio is { } range ? (range.MinRatio, range.MaxRatio) : ((double, double)?)null));
        Assert.Null(asked.PretrainingOptions(1).AnyRatio);
    }

    [Fact]
    public void CalibrateSweepsEveryVariantASecondTimeWithRecalibration()
    {
        Assert.Equal(["l1", "folded+comp"], Resolve("figure2-fashion").Variants.Select(v => v.Name));

        var experiment = Resolve("figure2-fashion", new ExperimentCommandSettings { Calibrate = true });

        Assert.Equal(["l1", "folded+comp", "l1+recal", "folded+comp+recal"], experiment.Variants.Select(v => v.Name));
        Assert.Equal([false, false, true, true], experiment.Variants.Select(v => v.Recalibrate));
        Assert.Equal(experiment.Variants[1] with { Name = "folded+comp+recal", Recalibrate = true }, experiment.Variants[3]);
        Assert.Contains("--calibrate", experiment.Overridden);
    }

    private static ResolvedExperiment Resolve(string name, ExperimentCommandSettings? settings = null) =>
        ResolvedExperiment.Resolve(ExperimentPresets.Find(name), settings ?? new ExperimentCommandSettings());
}
