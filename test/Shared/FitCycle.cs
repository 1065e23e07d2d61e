using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.TestSupport;

/// <summary>
/// One full user cycle through the public API on a small synthetic image set: Fit (with a validation set, so every
/// epoch also runs the evaluation pass), Prune at another ratio, Transform + Evaluate, Save and Load through
/// <c>mlContext.Model</c>, score the loaded model, and dispose everything. Shared source of the tests and the
/// benchmarks (GC stress and soak).
/// </summary>
internal static class FitCycle
{
    /// <summary>The architectures of every zoo family, at the image sizes the cycle uses.</summary>
    public static readonly CnnArchitecture[] EveryFamily = [CnnArchitecture.SmallCnn, CnnArchitecture.ResNet20, CnnArchitecture.Vgg11, CnnArchitecture.ResNet18];

    /// <summary>Small images for <paramref name="architecture"/>: 3 x 32 x 32 for the ImageNet ResNets (stride-2 stem and max-pool), 1 x 16 x 16 otherwise.</summary>
    public static ImageShape ShapeFor(CnnArchitecture architecture) =>
        architecture is CnnArchitecture.ResNet18 or CnnArchitecture.ResNet34 or CnnArchitecture.ResNet50 ? new ImageShape(3, 32, 32) : new ImageShape(1, 16, 16);

    /// <summary>
    /// <paramref name="rows"/> images of 4 classes (class k: a bright quadrant k plus noise), with a key-typed Label made
    /// by <paramref name="keys"/> (fitted on the first call's data when null).
    /// </summary>
    public static IDataView Data(MLContext ml, ImageShape shape, int rows, int seed, ref ITransformer? keys)
    {
        var random = new Random(seed);
        var items = new List<Row>(rows);
        for (int i = 0; i < rows; i++)
        {
            uint label = (uint)(i % 4);
            var pixels = new float[shape.Size];
            int plane = shape.Height * shape.Width;
            for (int p = 0; p < pixels.Length; p++)
            {
                int y = p % plane / shape.Width, x = p % shape.Width;
                bool lit = (y * 2 / shape.Height) == (label / 2) && (x * 2 / shape.Width) == (label % 2);
                pixels[p] = (lit ? 1f : 0f) + (0.5f * (float)random.NextDouble());
            }

            items.Add(new Row { Features = pixels, Label = label });
        }

        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width);
        var data = ml.Data.LoadFromEnumerable(items, schema);
        keys ??= ml.Transforms.Conversion.MapValueToKey(nameof(Row.Label)).Fit(data);
        return keys.Transform(data);
    }

    /// <summary>Runs the whole cycle once and returns the loaded pruned model's top-1 accuracy on the validation images.</summary>
    /// <param name="ml">The context (its seed does not matter: the options carry one).</param>
    /// <param name="architecture">The network.</param>
    /// <param name="seed">Seed of the data and of training.</param>
    /// <param name="trainRows">Training images.</param>
    /// <param name="epochs">Training epochs (the folded force starts half-way).</param>
    public static double Run(MLContext ml, CnnArchitecture architecture, int seed, int trainRows = 96, int epochs = 2)
    {
        var shape = ShapeFor(architecture);
        ITransformer? keys = null;
        var train = Data(ml, shape, trainRows, seed, ref keys);
        var validation = Data(ml, shape, 48, seed + 1000, ref keys);
        var options = new ElectrostaticCnnTrainer.Options
        {
            Architecture = architecture,
            Epochs = epochs,
            BatchSize = 32,
            LearningRateSchedule = LearningRateSchedule.Constant(0.02),
            Seed = seed,
            Device = TrainingDevice.Cpu,
            ValidationSet = validation,
        };

        using var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(options).Fit(train);
        using var smaller = model.Prune(PruningPlan.Uniform(0.6).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation());
        _ = ml.MulticlassClassification.Evaluate(smaller.Transform(validation)).MicroAccuracy;

        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        try
        {
            return ml.MulticlassClassification.Evaluate(loaded.Transform(validation)).MicroAccuracy;
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    /// <summary>An image with its class, as the cycle's data rows.</summary>
    public sealed class Row
    {
        /// <summary>C x H x W pixels, planar.</summary>
        public float[] Features { get; set; } = [];

        /// <summary>Class 0..3 (mapped to a key).</summary>
        public uint Label { get; set; }
    }
}
