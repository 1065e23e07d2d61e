using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// The in-memory path of ML.NET's image-classification sample: an <see cref="MLImage"/> column (no LoadImages), then
/// ResizeImages -> ExtractPixels -> ElectrostaticCnn -> MapKeyToValue, scored with both Score and PredictedLabel
/// requested. The images are 28 x 28 already, so ResizeImages passes the row's own image through and disposes it when its
/// getter is called again: the trainer's row mapper must read the features once per row (ML.NET's own scorers do).
/// Every use therefore gets new images.
/// </summary>
[Trait("Category", "Slow")]
public sealed class InMemoryImageTests : IClassFixture<InMemoryImageTests.TrainedPipeline>
{
    private readonly TrainedPipeline _trained;

    public InMemoryImageTests(TrainedPipeline trained) => _trained = trained;

    [Fact]
    public void APredictionEngineOnInMemoryImagesServesScoreAndPredictedLabelFromOneForwardPass()
    {
        var ml = _trained.Context;
        using var engine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(_trained.Model);
        var rows = TrainedPipeline.Rows(RepositoryData.TestImages, RepositoryData.TestLabels, 40);
        var expected = _trained.ScoreInBatch(TrainedPipeline.Rows(RepositoryData.TestImages, RepositoryData.TestLabels, 40));

        for (int i = 0; i < rows.Count; i++)
        {
            var prediction = engine.Predict(rows[i]);

            // The label names the arg-max of the scores this same call returned, and both equal the batched Transform.
            Assert.Equal(10, prediction.Score.Length);
            Assert.Equal(_trained.ClassesInKeyOrder[Array.IndexOf(prediction.Score, prediction.Score.Max())], prediction.PredictedLabel);
            Assert.Equal(expected[i].PredictedLabel, prediction.PredictedLabel);
            Assert.Equal(expected[i].Score, prediction.Score, (a, b) => Math.Abs(a - b) < 1e-5f);
        }

        // Not a constant answer: the engine saw different images (new ones: the engine disposed those above).
        var fresh = TrainedPipeline.Rows(RepositoryData.TestImages, RepositoryData.TestLabels, 40);
        Assert.True(fresh.Select(r => engine.Predict(r).PredictedLabel).Distinct().Count() > 3);
    }

    [Fact]
    public void TransformOfInMemoryImagesGivesScoreAndPredictedLabelTogether()
    {
        var rows = TrainedPipeline.Rows(RepositoryData.TestImages, RepositoryData.TestLabels, 200);
        var scored = _trained.ScoreInBatch(rows);

        Assert.Equal(200, scored.Count);
        Assert.All(scored, s => Assert.Equal(_trained.ClassesInKeyOrder[Array.IndexOf(s.Score, s.Score.Max())], s.PredictedLabel));
        double accuracy = scored.Zip(rows).Count(p => p.First.PredictedLabel == p.Second.Label) / 200.0;
        Assert.True(accuracy > 0.5, $"accuracy {accuracy} on in-memory images (chance is 0.1)");
    }

    /// <summary>An in-memory image and its class name: the PredictionEngine input.</summary>
    public sealed class ImageRow
    {
        /// <summary>The image, 28 x 28 (any size works: ResizeImages runs first).</summary>
        [ImageType(28, 28)]
        public MLImage? Image { get; set; }

        /// <summary>The class name.</summary>
        public string Label { get; set; } = string.Empty;
    }

    /// <summary>Both outputs of the trainer, after MapKeyToValue.</summary>
    public sealed class Prediction
    {
        /// <summary>Class name.</summary>
        public string PredictedLabel { get; set; } = string.Empty;

        /// <summary>The 10 class probabilities.</summary>
        public float[] Score { get; set; } = [];
    }

    /// <summary>One pipeline trained on 1,000 in-memory images, shared by the tests.</summary>
    public sealed class TrainedPipeline : IDisposable
    {
        public TrainedPipeline()
        {
            var train = Context.Data.LoadFromEnumerable(Rows(RepositoryData.TrainImages, RepositoryData.TrainLabels, 1000));
            var options = new ElectrostaticCnnTrainer.Options
            {
                Epochs = 3,
                BatchSize = 32,
                WarmupEpochs = 0,
                LearningRateSchedule = LearningRateSchedule.Constant(0.01),
                Seed = 1,
                Device = TrainingDevice.Cpu,

                // What is tested is scoring; plain training keeps the short run accurate.
                Regularizer = null,
            };
            var pipeline = Context.Transforms.Conversion.MapValueToKey("Label")
                .Append(Context.Transforms.ResizeImages("Image", 28, 28))
                .Append(Context.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
                .Append(Context.MulticlassClassification.Trainers.ElectrostaticCnn(options))
                .Append(Context.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            Model = pipeline.Fit(train);
            VBuffer<ReadOnlyMemory<char>> slots = default;
            Model.GetOutputSchema(train.Schema)["Score"].GetSlotNames(ref slots);
            ClassesInKeyOrder = [.. slots.DenseValues().Select(v => v.ToString())];
        }

        /// <summary>The class of each Score slot (the label key order, as MapValueToKey built it).</summary>
        public string[] ClassesInKeyOrder { get; }

        public MLContext Context { get; } = new(seed: 1);

        public TransformerChain<Transforms.KeyToValueMappingTransformer> Model { get; }

        /// <summary>The first <paramref name="count"/> images of an embedded IDX file as new in-memory 28 x 28 BGRA images.</summary>
        public static List<ImageRow> Rows(string images, string labels, int count)
        {
            var (_, height, width, pixels) = IdxFile.ReadImages(images);
            byte[] classes = IdxFile.ReadLabels(labels);
            var rows = new List<ImageRow>(count);
            for (int i = 0; i < count; i++)
            {
                var bgra = new byte[height * width * 4];
                for (int p = 0; p < height * width; p++)
                {
                    byte gray = pixels[(i * height * width) + p];
                    (bgra[(4 * p) + 0], bgra[(4 * p) + 1], bgra[(4 * p) + 2], bgra[(4 * p) + 3]) = (gray, gray, gray, 255);
                }

                rows.Add(new ImageRow { Image = MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, bgra), Label = KnownClassNames.FashionMnist[classes[i]] });
            }

            return rows;
        }

        /// <summary>Scores <paramref name="rows"/> with Transform (batched), both output columns read from one cursor.</summary>
        public List<Prediction> ScoreInBatch(IReadOnlyList<ImageRow> rows)
        {
            var scored = Model.Transform(Context.Data.LoadFromEnumerable(rows));
            return [.. Context.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false)];
        }

        public void Dispose() => Model.Dispose();
    }
}
