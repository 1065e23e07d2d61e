using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>Folder-per-class images go through ML.NET's LoadImages / ResizeImages / ExtractPixels into the trainer's columns.</summary>
public sealed class ImageFolderDataTests
{
    [Fact]
    public void TrainAndTestFoldersLoadAsResizedRgbVectorsWithSharedClassKeys()
    {
        using var folder = new TempFolder();
        WriteImages(folder, "train", 6);
        WriteImages(folder, "test", 3);

        var data = DataLoader.Load(new MLContext(seed: 1), DataSourceDetector.Detect(folder.Path), new TrainingSettings { Data = folder.Path, ImageSize = 8 });

        Assert.Equal(new ImageShape(3, 8, 8), data.Shape);
        Assert.Equal(["bright", "dark"], data.ClassNames);
        Assert.Equal((12, 6), (data.TrainCount, data.TestCount));
        var features = data.Test.GetColumn<float[]>(ColumnNames.Features).ToList();
        var labels = data.Test.GetColumn<uint>(ColumnNames.Label).ToList();

        // Key 1 is "bright" (pixels 220/255), key 2 is "dark" (30/255), in test exactly as in training.
        Assert.Equal([1u, 1, 1, 2, 2, 2], labels);
        Assert.Equal(220f / 255, features[0][0], 3);
        Assert.Equal(30f / 255, features[^1][^1], 3);
    }

    [Fact]
    public void ASingleSplitIsHeldOutByTheTestFractionAndGrayscaleGivesOneChannel()
    {
        using var folder = new TempFolder();
        WriteImages(folder, string.Empty, 10);

        var data = DataLoader.Load(
            new MLContext(seed: 1),
            DataSourceDetector.Detect(folder.Path),
            new TrainingSettings { Data = folder.Path, ImageSize = 8, Grayscale = true, TestFraction = 0.25 });

        Assert.Equal(new ImageShape(1, 8, 8), data.Shape);
        Assert.Equal(20, data.TrainCount + data.TestCount);
        Assert.InRange(data.TestCount, 2, 10);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheTrainCommandLearnsFromImageFolders()
    {
        using var folder = new TempFolder();
        WriteImages(folder, "train", 16);
        WriteImages(folder, "test", 4);

        var (code, output, error) = CliHarness.Run(
            "train", "--data", folder.Path, "--image-size", "8", "--epochs", "2", "--batch-size", "8", "--plan", "0.5", "--save", Path.Combine(folder.Path, "m.zip"));

        Assert.True(code == 0, error);
        Assert.Contains("image folders", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder.Path, "m.zip")));
    }

    private static void WriteImages(TempFolder folder, string split, int perClass)
    {
        foreach (var (name, level) in new[] { ("bright", (byte)220), ("dark", (byte)30) })
        {
            for (var i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(12, 12);
                bitmap.Erase(new SKColor(level, level, level));
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                folder.File(Path.Combine(split, name, $"{i:00}.png"), data.ToArray());
            }
        }
    }
}
