using ElectrostaticPruning.Samples.Infrastructure;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The experiment presets end to end on tiny data, one epoch each: the whole path from --data to the report runs.</summary>
public sealed class ExperimentRunTests
{
    [Fact]
    public void TheResNet56Cifar10PresetTrainsPrunesByEveryTableTwoPlanAndFineTunes()
    {
        using var folder = new TempFolder();
        var data = Path.Combine(folder.Path, "cifar-10-batches-bin");
        WriteCifar10(Path.Combine(data, "data_batch_1.bin"), 40, seed: 1);
        WriteCifar10(Path.Combine(data, "test_batch.bin"), 20, seed: 2);
        var output = Path.Combine(folder.Path, "out");

        var (code, stdout, error) = CliHarness.Run(
            "experiment", "resnet56-cifar10", "--data", folder.Path, "--epochs", "1", "--finetune-epochs", "1", "--batch-size", "20", "--threads", "2", "-o", output);

        Assert.True(code == 0, error);
        var report = File.ReadAllText(Path.Combine(output, "resnet56-cifar10.md"));
        Assert.Contains("CIFAR-10 binary", report, StringComparison.Ordinal);
        Assert.Contains("| `[0,0.52,0.52,0.52,0]` | ", report, StringComparison.Ordinal);
        Assert.Contains(" | 2.17x | 2.17x | ", report, StringComparison.Ordinal);
        Assert.Contains(" | 2.62x | 2.62x | ", report, StringComparison.Ordinal);
        Assert.Contains(" | 2.73x | 2.73x | ", report, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "resnet56-cifar10.zip")));
        Assert.Contains("[fine-tune [0,0.6,0.6,0.6,0]] done", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMnistPresetComparesTheThreeMethodsAndWritesBothFigures()
    {
        using var folder = new TempFolder();
        var data = RepositoryLocator.FindEmbeddedData([AppContext.BaseDirectory]);

        var (code, _, error) = CliHarness.Run(
            "experiment", "resnet56-mnist", "--data", data, "--train-limit", "64", "--test-limit", "32", "--epochs", "1", "--batch-size", "32",
            "--plan", "[0,0.5,0.5,0.5,0]", "--compare", "--ratios", "0,0.5", "--threads", "2", "-o", folder.Path);

        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(folder.Path, "figure2-accuracy-vs-pruning-ratio.png")));
        Assert.True(File.Exists(Path.Combine(folder.Path, "figure3-normalized-filter-norms.png")));
        var report = File.ReadAllText(Path.Combine(folder.Path, "resnet56-mnist.md"));
        Assert.Contains("plain top-1 | L1-norm top-1 | electrostatic force top-1", report, StringComparison.Ordinal);
    }

    private static void WriteCifar10(string path, int records, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[records * 3073];
        random.NextBytes(bytes);
        for (var i = 0; i < records; i++)
        {
            bytes[i * 3073] = (byte)(i % 10);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
