namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class CommandLineTests
{
    private static readonly string[] Commands = ["compare", "train", "prune", "evaluate", "sweep", "finetune", "summary", "experiment"];

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
    [InlineData("train", "--save <FILE>")]
    [InlineData("prune", "--plan <PLAN>")]
    [InlineData("evaluate", "--model <FILE>")]
    [InlineData("sweep", "--ratios <LIST>")]
    [InlineData("finetune", "--weight-decay <WD>")]
    [InlineData("summary", "--input <SHAPE>")]
    [InlineData("experiment", "--dry-run")]
    public void EveryCommandHasHelp(string command, string option)
    {
        var (code, output, _) = CliHarness.Run(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains(option, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "train", "--data", "x", "--epochs", "0" }, "error: --epochs must be at least 1 (got 0).")]
    [InlineData(new[] { "--bogus" }, "error: Unknown option 'bogus'.")]
    [InlineData(new[] { "train", "--data", "x", "-a", "ResNet57" }, "error: --architecture: unknown network 'ResNet57'; expected one of SmallCnn, ResNet20, ResNet32, ResNet44, ResNet56, ResNet110, Vgg11, Vgg13, Vgg16, Vgg19, ResNet18, ResNet34, ResNet50.")]
    [InlineData(new[] { "evaluate", "--data", "x", "--model", "/nonexistent/m.zip" }, "error: --model file '/nonexistent/m.zip' does not exist.")]
    [InlineData(new[] { "compare", "--data", "/nonexistent/data" }, "error: --data folder '/nonexistent/data' does not exist.")]
    [InlineData(new[] { "experiment", "resnet99-cifar10", "--dry-run" }, "error: Unknown experiment 'resnet99-cifar10'; expected one of resnet56-cifar10, vgg19-cifar100, resnet34-imagenet, resnet56-mnist.")]
    [InlineData(new[] { "compare", "--regularizer", "l1" }, "error: --regularizer does not apply here: this job trains all four (plain, L1-norm, electrostatic force, folded force); use 'train' for one.")]
    public void BadInputExitsWithOneAndOneErrorLine(string[] args, string expected)
    {
        var (code, _, error) = CliHarness.Run(args);

        Assert.Equal(1, code);
        Assert.Equal(expected + Environment.NewLine, error);
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
    public void APlanEndingInRoundKeepsVgg19FiltersInBlocksOf16()
    {
        var (code, output, error) = CliHarness.Run("summary", "-a", "Vgg19", "--classes", "100", "--plan", "[0:0, 1-15:0.65] round 16");

        Assert.True(code == 0, error);
        Assert.Contains("5.53x", output, StringComparison.Ordinal);
        Assert.DoesNotContain("6.85x", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheExperimentListNamesEveryPreset()
    {
        var (code, output, _) = CliHarness.Run("experiment");

        Assert.Equal(0, code);
        foreach (var preset in new[] { "resnet56-cifar10", "vgg19-cifar100", "resnet34-imagenet", "resnet56-mnist" })
        {
            Assert.Contains(preset, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ADryRunOfResNet56OnCifar10ShowsTableOneSettingsAndTableTwoSpeedups()
    {
        var (code, output, error) = CliHarness.Run("experiment", "resnet56-cifar10", "--dry-run");

        Assert.True(code == 0, error);
        Assert.Contains("SGD(0.9, 0), P1, 200 epochs, batch 128", output, StringComparison.Ordinal);
        Assert.Contains("SGD(0.9, 5e-4), P2, 120 epochs, batch 128", output, StringComparison.Ordinal);
        Assert.Contains("alpha_e = 1e-16", output, StringComparison.Ordinal);
        foreach (var speedup in new[] { "2.17x", "2.62x", "2.73x" })
        {
            Assert.Equal(2, CountOf(output, speedup));
        }
    }

    [Fact]
    public void EpochOverridesReachTheDryRun()
    {
        var (code, output, _) = CliHarness.Run("experiment", "resnet56-mnist", "--dry-run", "--epochs", "3");

        Assert.Equal(0, code);
        Assert.Contains("SGD(0.9, 0), P1, 3 epochs, batch 256", output, StringComparison.Ordinal);
        Assert.Contains("Overridden", output, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
