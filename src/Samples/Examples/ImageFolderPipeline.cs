using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Microsoft.ML.Transforms.Image;

namespace ElectrostaticPruning.Samples.Examples;

/// <summary>
/// An ML.NET image pipeline on a folder with one subfolder of images per class: LoadFromImageFolder, MapValueToKey,
/// LoadImages, ResizeImages, ExtractPixels, then the ElectrostaticCnn trainer (trained, pruned by its default plan) and Evaluate.
/// </summary>
public static class ImageFolderPipeline
{
    /// <summary>Trains on 80% of the images of <paramref name="imageFolder"/> and returns the pruned model's accuracy on the rest.</summary>
    /// <param name="imageFolder">A folder with one subfolder of (gray) images per class, e.g. <c>images/Sneaker/0.png</c>.</param>
    public static double Example(string imageFolder)
    {
        var mlContext = new MLContext(seed: 1);

        // ImagePath (absolute) and Label (the subfolder's name), one row per image.
        IDataView images = mlContext.Data.LoadFromImageFolder(imageFolder);
        var split = mlContext.Data.TrainTestSplit(images, testFraction: 0.2, seed: 1);

        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.LoadImages("Image", imageFolder: null, "ImagePath"))
            .Append(mlContext.Transforms.ResizeImages("Image", imageWidth: 28, imageHeight: 28))
            .Append(mlContext.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
            .Append(mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(
                architecture: CnnArchitecture.SmallCnn, epochs: 4, batchSize: 32, learningRateSchedule: "0:0.02,3:0.002"));

        var model = pipeline.Fit(split.TrainSet);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(split.TestSet));

        var summary = model.LastTransformer.Summary;
        Console.WriteLine($"{summary.Architecture} pruned by {summary.PruningPlan}: {summary.Dense.Parameters:N0} -> {summary.Pruned.Parameters:N0} parameters, {summary.Speedup:F2}x fewer FLOPs");
        Console.WriteLine($"Top-1 accuracy on the held-out images: {metrics.MicroAccuracy:P2}");
        return metrics.MicroAccuracy;
    }
}
