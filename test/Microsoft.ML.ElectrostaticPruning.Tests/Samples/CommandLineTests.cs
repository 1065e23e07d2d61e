namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class CommandLineTests
{
    private static readonly string[] Commands = ["compare", "train", "prune", "evaluate", "sweep", "finetune", "summary", "export", "experiment", "example"];

    [Fact]
    public void TheRootHelpListsEveryCommand()
    {
        var (code, output, error) = CliHarness.Run("--help");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        foreach (var command in Commands)
        {
            Assert.Contains($"    {command} ", output, StringComparison.Ordinal);
        }

        Assert.Contains("--data <PATH>", output, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte[.gz]", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("compare", "--finetune-speedup")]
    [InlineData("train", "--checkpoint <FILE>")]
    [InlineData("train", "--slimming-rate <RATE>")]
    [InlineData("prune", "--plan <PLAN>")]
    [InlineData("evaluate", "--model <FILE>")]
    [InlineData("sweep", "--ratios <LIST>")]
    [InlineData("finetune", "--weight-decay <WD>")]
    [InlineData("summary", "--input <SHAPE>")]
    [InlineData("experiment", "--dry-run")]
    [InlineData("example", "[NAME]")]
    public void EveryCommandHasHelp(string command, string option)
    {
        var (code, output, _) = CliHarness.Run(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains(option, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train", "--resume")]
    [InlineData("train", "--skip")]
    [InlineData("prune", "--skip")]
    public void RemovedFlagsAreUnknown(string command, string flag)
    {
        var (code, _, error) = CliHarness.Run(command, "--data", "x", flag, "1.0");

        Assert.Equal(1, code);
        Assert.Contains($"Unknown option '{flag.TrimStart('-')}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "train", "--data", "x", "--epochs", "0" }, new[] { "--epochs", "Epochs", "at least 1", "0" })]
    [InlineData(new[] { "train", "--data", "x", "--momentum", "1" }, new[] { "--momentum", "Momentum", "[0, 1)" })]
    [InlineData(new[] { "train", "--data", "x", "--epochs", "4", "--penalty-start", "4" }, new[] { "--penalty-start", "StartEpoch", "[0, 4)" })]
    [InlineData(new[] { "train", "--data", "x", "-r", "l1", "--l1-rate", "-1" }, new[] { "--l1-rate", "L1Regularizer.Options.Rate", "at least 0" })]
    [InlineData(new[] { "train", "--data", "x", "--alpha", "-1e-11" }, new[] { "--alpha", "ForceRate", "at least 0" })]
    [InlineData(new[] { "train", "--data", "x", "--calibration-images", "-1" }, new[] { "--calibration-images", "CalibrationImages", "at least 0", "-1" })]
    [InlineData(new[] { "train", "--data", "x", "-a", "ResNet57" }, new[] { "--architecture", "ResNet57", "SmallCnn", "ResNet56", "Vgg19" })]
    [InlineData(new[] { "train", "--data", "x", "-r", "lasso" }, new[] { "--regularizer", "lasso", "folded", "electrostatic", "l1", "slimming", "none" })]
    [InlineData(new[] { "train", "--data", "x", "--gradient-mode", "exact" }, new[] { "--gradient-mode", "electrostatic", "folded" })]
    [InlineData(new[] { "evaluate", "--data", "x", "--model", "/nonexistent/m.zip" }, new[] { "--model", "/nonexistent/m.zip", "does not exist" })]
    [InlineData(new[] { "compare", "--data", "/nonexistent/data" }, new[] { "--data", "/nonexistent/data", "does not exist" })]
    [InlineData(new[] { "compare", "--regularizer", "l1" }, new[] { "--regularizer", "plain", "L1-norm", "electrostatic force", "folded force", "train" })]
    [InlineData(new[] { "compare", "--graded-up-to", "0.7" }, new[] { "--graded-up-to", "folded", "none, l1, slimming, electrostatic" })]
    [InlineData(new[] { "experiment", "resnet99-cifar10", "--dry-run" }, new[] { "resnet99-cifar10", "resnet56-cifar10", "vgg19-cifar100", "figure2-fashion-small" })]
    [InlineData(new[] { "example", "nope" }, new[] { "nope", "image-folder", "checkpoint" })]
    [InlineData(new[] { "--bogus" }, new[] { "Unknown option 'bogus'" })]
    public void BadInputExitsWithOneAndOneErrorLineNamingTheOptionAndTheValue(string[] args, string[] expected)
    {
        var (code, _, error) = CliHarness.Run(args);

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        foreach (var part in expected)
        {
            Assert.Contains(part, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ABadPlanNamesTheOptionAndTheToken()
    {
        var (code, _, error) = CliHarness.Run("summary", "-a", "ResNet56", "--plan", "[0,0.5,abc,0.5,0]");

        Assert.Equal(1, code);
        Assert.StartsWith("error: --plan: ", error, StringComparison.Ordinal);
        Assert.Contains("abc", error, StringComparison.Ordinal);
        Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void SummaryPrunesResNet56ByTheFirstPlanOfTableTwo()
    {
        var (code, output, error) = CliHarness.Run("summary", "-a", "ResNet56", "--plan", "[0,0.52,0.52,0.52,0]");

        Assert.True(code == 0, error);
        Assert.Contains("2.17x", output, StringComparison.Ordinal);
        Assert.Contains("layer1.0.conv1", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ASkipListInThePlanTextKeepsThoseBlocksWhole()
    {
        var (code, output, error) = CliHarness.Run("summary", "-a", "ResNet34", "--plan", "[0,0.5,0.5,0.5,0,0] skip 1.0,2.0,2.3,3.0,3.5");
        var (_, unskipped, _) = CliHarness.Run("summary", "-a", "ResNet34", "--plan", "[0,0.5,0.5,0.5,0,0]");

        Assert.True(code == 0, error);
        Assert.Contains("prunable (skipped)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("prunable (skipped)", unskipped, StringComparison.Ordinal);
        Assert.Contains("1.34x", output, StringComparison.Ordinal);
    }

    [Fact]
    public void APlanEndingInRoundKeepsVgg19FiltersInBlocksOf16()
    {
        var (code, output, error) = CliHarness.Run("summary", "-a", "Vgg19", "--classes", "100", "--plan", "[0:0, 1-15:0.65] round 16");

        Assert.True(code == 0, error);
        Assert.Contains("5.53x", output, StringComparison.Ordinal);
        Assert.DoesNotContain("6.85x", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheExampleListNamesEveryExample()
    {
        var (code, output, _) = CliHarness.Run("example");

        Assert.Equal(0, code);
        foreach (var name in new[] { "image-folder", "re-pruning", "torchsharp-penalty", "onnx", "warm-start", "checkpoint" })
        {
            Assert.Contains(name, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheExperimentListNamesEveryPreset()
    {
        var (code, output, _) = CliHarness.Run("experiment");

        Assert.Equal(0, code);
        foreach (var preset in new[] { "resnet56-cifar10", "vgg19-cifar100", "resnet34-imagenet", "resnet56-mnist", "figure2-fashion", "figure2-fashion-small" })
        {
            Assert.Contains(preset, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ADryRunOfResNet56OnCifar10ShowsTableOneSettingsTheForceAndTableTwoSpeedups()
    {
        var (code, output, error) = CliHarness.Run("experiment", "resnet56-cifar10", "--dry-run", "--epochs", "3", "--alpha", "1e-12");

        Assert.True(code == 0, error);
        Assert.Contains("SGD(0.9, 0), P1, 3 epochs, batch 128", output, StringComparison.Ordinal);
        Assert.Contains("SGD(0.9, 5e-4), P2, 120 epochs, batch 128", output, StringComparison.Ordinal);
        Assert.Contains("electrostatic force (alpha_e 1E-12", output, StringComparison.Ordinal);
        Assert.Matches(@"Overridden\s*│\s*--epochs, --alpha", output);
        foreach (var speedup in new[] { "2.17x", "2.62x", "2.73x" })
        {
            // Computed on the network, and as Table 2 prints it.
            Assert.Equal(2, output.Split(speedup).Length - 1);
        }
    }
}
