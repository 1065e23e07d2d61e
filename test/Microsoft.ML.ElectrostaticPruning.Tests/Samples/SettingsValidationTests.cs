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
    [InlineData(0, null, null, null, "--epochs must be at least 1 (got 0).")]
    [InlineData(null, 0, null, null, "--batch-size must be at least 1 (got 0).")]
    [InlineData(null, null, 1.0, null, "--momentum must be in [0, 1) (got 1).")]
    [InlineData(null, null, null, -1e-11, "--alpha must be greater than 0, e.g. 1e-11 (got -1E-11).")]
    public void BadTrainingNumbersGiveOneLineNamingTheOption(int? epochs, int? batch, double? momentum, double? alpha, string expected)
    {
        var settings = new CompareCommandSettings { Epochs = epochs, BatchSize = batch, Momentum = momentum, Alpha = alpha };

        var result = settings.Validate();

        Assert.False(result.Successful);
        Assert.Equal(expected, result.Message);
    }

    [Fact]
    public void TrainingNeedsData()
    {
        var result = new TrainCommandSettings().Validate();

        Assert.False(result.Successful);
        Assert.StartsWith("--data is required", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumeNeedsACheckpoint()
    {
        var result = new TrainCommandSettings { Data = "x", Resume = true }.Validate();

        Assert.Equal("--resume needs --checkpoint <FILE>: the file to resume from.", result.Message);
    }

    [Theory]
    [InlineData("gpu", "--device must be one of auto, cpu, cuda (got 'gpu').")]
    [InlineData("CUDA", null)]
    public void TheDeviceMustBeKnown(string device, string? expected)
    {
        var result = new CompareCommandSettings { Device = device }.Validate();

        Assert.Equal(expected, result.Successful ? null : result.Message);
    }

    [Fact]
    public void AMissingModelFileIsNamed()
    {
        var result = new EvaluateCommandSettings { Data = "x", Model = "/nonexistent/model.zip" }.Validate();

        Assert.Equal("--model file '/nonexistent/model.zip' does not exist.", result.Message);
    }

    [Fact]
    public void BadSweepRatiosAreReportedByTheSettings()
    {
        var result = new CompareCommandSettings { Ratios = "0,1.5" }.Validate();

        Assert.Equal("--ratios: ratio 1.5 is outside [0, 1); a ratio is the fraction of filters removed per layer.", result.Message);
    }

    [Fact]
    public void ASweepNeedsAtLeastOneModelAndDistinctLabels()
    {
        using var folder = new TempFolder();
        var model = folder.File("model.zip");

        Assert.Equal("--model is required (repeat it to compare several models).", new SweepCommandSettings { Data = "x" }.Validate().Message);
        Assert.Equal(
            "--model label 'model' is used twice; label them as label=path.",
            new SweepCommandSettings { Data = "x", Models = [model, model] }.Validate().Message);
        Assert.True(new SweepCommandSettings { Data = "x", Models = [$"a={model}", $"b={model}"] }.Validate().Successful);
    }

    [Fact]
    public void SummaryTakesAModelOrAnArchitectureButNotBoth()
    {
        Assert.Equal(
            "Give either --model <FILE> or --architecture <NAME> (exactly one).",
            new SummaryCommandSettings().Validate().Message);
        Assert.True(new SummaryCommandSettings { Architecture = "ResNet56", Input = "3x32x32" }.Validate().Successful);
        Assert.Equal(
            "--input '3x32' must be CxHxW with positive integers, e.g. 3x32x32.",
            new SummaryCommandSettings { Architecture = "ResNet56", Input = "3x32" }.Validate().Message);
    }

    [Fact]
    public void TheFineTuningSpeedupIsOffOrAtLeastOne()
    {
        Assert.Equal(
            "--finetune-speedup must be 0 (off) or at least 1 (got 0.5).",
            new CompareCommandSettings { FinetuneSpeedup = 0.5 }.Validate().Message);
    }

    [Fact]
    public void AnExperimentDryRunNeedsNoData()
    {
        Assert.True(new ExperimentCommandSettings { Preset = "resnet56-cifar10", DryRun = true }.Validate().Successful);
        Assert.StartsWith("--data is required", new ExperimentCommandSettings { Preset = "resnet56-cifar10" }.Validate().Message, StringComparison.Ordinal);
    }
}
