using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Training;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// The pipeline of issue 4 on real PNG files: MapValueToKey -> LoadImages -> ResizeImages -> ExtractPixels ->
/// ElectrostaticCnn -> MapKeyToValue; Fit, Evaluate, Save, Load (here and in a fresh process), PredictionEngine.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ImagePipelineEndToEndTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private readonly MLContext _ml = new(seed: 1);

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    public void TheIssuePipelineRunsEndToEndOnPngFiles(bool rgb, int channels)
    {
        using var temp = new TempFolder();
        // Separate train/ and test/ trees, as README shows: the pipeline fitted on train/ must score test/.
        FashionPngFolder.Write(temp.File("train"), trainCount: 800, testCount: 0, rgb);
        FashionPngFolder.Write(temp.File("test"), trainCount: 0, testCount: 200, rgb);
        var train = _ml.Data.LoadFromImageFolder(temp.File("train"));
        var test = _ml.Data.LoadFromImageFolder(temp.File("test"));

        var options = new ElectrostaticCnnTrainer.Options
        {
            Epochs = 2,   // the defaults' sandwich training: one epoch left the gray model at 36.5% (0.1 is chance)
            FineTuneEpochs = 1,
            BatchSize = 64,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            Seed = 1,
        };
        var pipeline = _ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(_ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath"))
            .Append(_ml.Transforms.ResizeImages("Image", 28, 28))
            .Append(_ml.Transforms.ExtractPixels("Features", "Image", rgb ? ImagePixelExtractingEstimator.ColorBits.Rgb : ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
            .Append(_ml.MulticlassClassification.Trainers.ElectrostaticCnn(options))
            .Append(_ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var model = pipeline.Fit(train);
        output.WriteLine($"fit {watch.Elapsed.TotalSeconds:F1} s");

        // The trainer inferred C x 28 x 28 from ExtractPixels' output dimensions.
        var cnn = model.OfType<ElectrostaticCnnTransformer>().Single();
        Assert.Equal(new ImageShape(channels, 28, 28), cnn.Summary.InputShape);
        Assert.Equal(FashionPngFolder.ClassFolders.Order(StringComparer.Ordinal), cnn.Summary.ClassNames.Order(StringComparer.Ordinal));

        var scored = model.Transform(test);
        var metrics = _ml.MulticlassClassification.Evaluate(scored);
        output.WriteLine($"accuracy {metrics.MicroAccuracy:F3}");
        Assert.True(metrics.MicroAccuracy > 0.4, $"accuracy {metrics.MicroAccuracy} (chance is 0.1)");
        var predicted = scored.GetColumn<string>("PredictedLabel").ToArray();
        Assert.Equal(200, predicted.Length);
        Assert.All(predicted, p => Assert.Contains(p, FashionPngFolder.ClassFolders));

        // Pass-through image values (disposed by LoadImages' getter on every move) stay aligned with their scores.
        using (var cursor = scored.GetRowCursor([scored.Schema["Image"], scored.Schema["Score"], scored.Schema["ImagePath"]]))
        {
            var image = cursor.GetGetter<Microsoft.ML.Data.MLImage>(scored.Schema["Image"]);
            var path = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["ImagePath"]);
            Microsoft.ML.Data.MLImage value = null!;
            ReadOnlyMemory<char> text = default;
            for (int row = 0; row < 3 && cursor.MoveNext(); row++)
            {
                image(ref value);
                path(ref text);
                Assert.Equal(28, value.Width);
                Assert.StartsWith(Path.GetFullPath(temp.File("test")) + "/", text.ToString(), StringComparison.Ordinal);
            }
        }

        // Save, then load here and in a fresh process: identical scores and labels.
        string modelPath = temp.File("model.zip");
        string dataPath = temp.File("test.idv");
        _ml.Model.Save(model, train.Schema, modelPath);
        using (var stream = File.Create(dataPath))
        {
            _ml.Data.SaveAsBinary(test, stream);
        }

        var loaded = _ml.Model.Load(modelPath, out _);
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        Assert.Equal(scores, loaded.Transform(test).GetColumn<float[]>("Score").ToArray());
        var expectedLines = scores.Zip(predicted).Select(p => string.Join(' ', p.First.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "\t" + p.Second);
        Assert.Equal(expectedLines, LoadCheckProcess.Score(modelPath, dataPath));

        // PredictionEngine on the fitted and on the loaded model.
        var inputs = _ml.Data.CreateEnumerable<ImageInput>(test, reuseRowObject: false).Take(10).ToArray();
        foreach (ITransformer candidate in new ITransformer[] { model, loaded })
        {
            using var engine = _ml.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(candidate);
            for (int i = 0; i < inputs.Length; i++)
            {
                var prediction = engine.Predict(inputs[i]);
                Assert.Equal(predicted[i], prediction.PredictedLabel);
                Assert.Equal(scores[i], prediction.Score, (a, b) => Math.Abs(a - b) < 1e-5f);
            }
        }
    }

    /// <summary>A row of <c>LoadFromImageFolder</c>.</summary>
    public sealed class ImageInput
    {
        public string ImagePath { get; set; } = string.Empty;

        public string Label { get; set; } = string.Empty;
    }

    /// <summary>What the pipeline predicts for one image.</summary>
    public sealed class ImagePrediction
    {
        public float[] Score { get; set; } = [];

        public string PredictedLabel { get; set; } = string.Empty;
    }
}
