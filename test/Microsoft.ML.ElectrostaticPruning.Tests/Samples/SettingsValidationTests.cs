using ElectrostaticPruning.Samples.Cli.Settings;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class SettingsValidationTests
{
    [Fact]
    public void DefaultsOfTheMainJobAreValidWithoutData()
    {
        var result = new CompareCommandSettings().Validate();

        Assert.True(result.Successful, result.Message);
    }

    [Theory]
    [InlineData(0, null, null, null, new[] { "--epochs", "Epochs", "at least 1", "0" })]
    [InlineData(null, 0, null, null, new[] { "--batch-size", "BatchSize", "at least 1", "0" })]
    [InlineData(null, null, 1.0, null, new[] { "--momentum", "Momentum", "[0, 1)", "1" })]
    [InlineData(null, null, null, -1e-11, new[] { "--alpha", "ElectrostaticForceRegularizer.Options.ForceRate", "at least 0", "-1E-11" })]
    public void TheLibrarysChecksAreReportedUnderTheFlag(int? epochs, int? batch, double? momentum, double? alpha, string[] expected)
    {
        var result = new CompareCommandSettings { Epochs = epochs, BatchSize = batch, Momentum = momentum, Alpha = alpha }.Validate();

        Assert.False(result.Successful);
        Assert.StartsWith(expected[0] + ": ", result.Message, StringComparison.Ordinal);
        foreach (var part in expected)
        {
            Assert.Contains(part, result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TrainingNeedsData()
    {
        var result = new TrainCommandSettings().Validate();

        Assert.False(result.Successful);
        Assert.StartsWith("--data is required", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainValidatesTheOptionsItWouldTrainWith()
    {
        Assert.True(new TrainCommandSettings { Data = "x", Checkpoint = "out/run.ckpt" }.Validate().Successful);
        Assert.Contains("--finetune-epochs", new TrainCommandSettings { Data = "x", FinetuneEpochs = -1 }.Validate().Message, StringComparison.Ordinal);
        Assert.Contains("--checkpoint", new TrainCommandSettings { Data = "x", Checkpoint = " " }.Validate().Message, StringComparison.Ordinal);
        Assert.Contains("'/nonexistent/model.zip'", new TrainCommandSettings { Data = "x", Init = "/nonexistent/model.zip" }.Validate().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpu", false)]
    [InlineData("CUDA", true)]
    public void TheDeviceMustBeKnown(string device, bool valid)
    {
        var result = new CompareCommandSettings { Device = device }.Validate();

        Assert.Equal(valid, result.Successful);
        if (!valid)
        {
            Assert.Contains("--device", result.Message, StringComparison.Ordinal);
            Assert.Contains($"'{device}'", result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AMissingModelFileIsNamed()
    {
        var result = new EvaluateCommandSettings { Data = "x", Model = "/nonexistent/model.zip" }.Validate();

        Assert.Contains("--model", result.Message, StringComparison.Ordinal);
        Assert.Contains("'/nonexistent/model.zip'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSweepRatiosAreReportedByTheSettings()
    {
        var result = new CompareCommandSettings { Ratios = "0,1.5" }.Validate();

        Assert.StartsWith("--ratios", result.Message, StringComparison.Ordinal);
        Assert.Contains("1.5", result.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 1)", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASweepNeedsAtLeastOneModelAndDistinctLabels()
    {
        using var folder = new TempFolder();
        var model = folder.File("model.zip");

        Assert.StartsWith("--model is required", new SweepCommandSettings { Data = "x" }.Validate().Message, StringComparison.Ordinal);
        var twice = new SweepCommandSettings { Data = "x", Models = [model, model] }.Validate().Message;
        Assert.Contains("--model label 'model'", twice, StringComparison.Ordinal);
        Assert.True(new SweepCommandSettings { Data = "x", Models = [$"a={model}", $"b={model}"] }.Validate().Successful);
    }

    [Fact]
    public void SummaryTakesAModelOrAnArchitectureButNotBoth()
    {
        Assert.Contains("--model <FILE> or --architecture <NAME>", new SummaryCommandSettings().Validate().Message, StringComparison.Ordinal);
        Assert.True(new SummaryCommandSettings { Architecture = "ResNet56", Input = "3x32x32" }.Validate().Successful);
        var badShape = new SummaryCommandSettings { Architecture = "ResNet56", Input = "3x32" }.Validate().Message;
        Assert.Contains("--input '3x32'", badShape, StringComparison.Ordinal);
        Assert.Contains("CxHxW", badShape, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFineTuningSpeedupIsOffOrAtLeastOne()
    {
        var message = new CompareCommandSettings { FinetuneSpeedup = 0.5 }.Validate().Message;

        Assert.Contains("--finetune-speedup", message, StringComparison.Ordinal);
        Assert.Contains("0.5", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExperimentDryRunNeedsNoDataAndAStudyHasItsOwn()
    {
        Assert.True(new ExperimentCommandSettings { Preset = "resnet56-cifar10", DryRun = true }.Validate().Successful);
        Assert.StartsWith("--data is required", new ExperimentCommandSettings { Preset = "resnet56-cifar10" }.Validate().Message, StringComparison.Ordinal);
        Assert.True(new ExperimentCommandSettings { Preset = "figure2-fashion-small" }.Validate().Successful);
    }

    [Fact]
    public void FineTuningFlagsKeepTheLibrarysDefaultsWhenLeftOut()
    {
        var defaults = new ElectrostaticCnnTransformer.FineTuneOptions();
        var options = new FinetuneCommandSettings { Epochs = 3, LearningRate = "P1", Seed = 4 }.ToOptions();

        Assert.Equal((3, defaults.BatchSize, LearningRateSchedule.P1.ToString(), defaults.Momentum, defaults.WeightDecay, 4), (options.Epochs, options.BatchSize, options.LearningRateSchedule.ToString(), options.Momentum, options.WeightDecay, options.Seed));
    }
}
