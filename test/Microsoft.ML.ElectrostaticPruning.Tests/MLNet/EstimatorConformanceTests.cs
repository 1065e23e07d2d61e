using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// ML.NET's estimator "workout" (TestEstimatorCore in dotnet/machinelearning's test framework) for the trainer, on a
/// network of every small family of the zoo: Fit accepts valid training data and rejects invalid input with
/// ArgumentOutOfRangeException or InvalidOperationException (unwrapped); the fitted transformer scores data without a
/// label column; its output schema equals the estimator's GetOutputSchema (names, types, annotations); save and reload
/// give the same schema and the same outputs; the row-to-row mapper agrees with Transform.
/// </summary>
[Trait("Category", "Slow")]
public sealed class EstimatorConformanceTests
{
    private const int Classes = 3;
    private const int Side = 16;

    public static TheoryData<CnnArchitecture> Families => new()
    {
        CnnArchitecture.SmallCnn,   // plain conv stages
        CnnArchitecture.ResNet20,   // CIFAR ResNet, option-A shortcuts
        CnnArchitecture.Vgg11,      // CIFAR VGG
        CnnArchitecture.ResNet18,   // ImageNet ResNet, basic blocks and downsample convs
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void TheTrainerPassesMlNetsEstimatorWorkout(CnnArchitecture architecture)
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options
        {
            Architecture = architecture,
            Epochs = 1,
            BatchSize = 8,
            LearningRateSchedule = LearningRateSchedule.Constant(0.01),
            PruningPlan = PruningPlan.Uniform(0.5),
            ImageShape = new ImageShape(3, Side, Side),
            Seed = 1,

            // The workout checks ML.NET's contract, not calibration: BatchNorm statistics re-estimated on these 24 images
            // (ResNet-18's last feature maps are 1 x 1 here, so 24 values per channel) make variances so small that the
            // row-by-row and batched float32 summation orders differ by more than ML.NET's 1e-6.
            CalibrationImages = 0,
        });
        var validFitInput = ml.Data.LoadFromEnumerable(LabeledRows(24), LabeledSchema());
        var validTransformInput = ml.Data.LoadFromEnumerable(UnlabeledRows(10));   // valid for the transformer, not for Fit
        IDataView[] invalidInputs =
        [
            ml.Data.LoadFromEnumerable(RenamedFeatureRows(6), RenamedSchema()),          // no "Features" column
            ml.Data.LoadFromEnumerable(DoubleFeatureRows(6), DoubleSchema()),            // Features of Double
        ];

        // Beyond the workout: what only Fit can see (the vector size is not part of a SchemaShape) and what only the
        // estimator needs (a key label) fail the same way.
        var wrongSize = ml.Data.LoadFromEnumerable(WrongSizeRows(6), WrongSizeSchema());      // 3 x 8 x 8 features
        var textLabel = ml.Data.LoadFromEnumerable(TextLabelRows(6));
        MustFail(() => estimator.Fit(wrongSize));
        MustFail(() => estimator.GetOutputSchema(SchemaShapes.Of(textLabel.Schema)));
        MustFail(() => estimator.Fit(textLabel));

        // Schema propagation of the estimator; it refuses what Fit refuses.
        var outSchemaShape = estimator.GetOutputSchema(SchemaShapes.Of(validFitInput.Schema));
        MustFail(() => estimator.GetOutputSchema(SchemaShapes.Of(validTransformInput.Schema)));
        MustFail(() => estimator.Fit(validTransformInput));
        foreach (var invalid in invalidInputs)
        {
            MustFail(() => estimator.GetOutputSchema(SchemaShapes.Of(invalid.Schema)));
            MustFail(() => estimator.Fit(invalid));
        }

        using var transformer = estimator.Fit(validFitInput);

        // Save and reload through the model catalog.
        using var temp = new TempFolder();
        string path = temp.File("model.zip");
        ml.Model.Save(transformer, validFitInput.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        try
        {
            CheckOnData(transformer, loaded, validFitInput);
            CheckOnData(transformer, loaded, validTransformInput);
            MustFail(() => transformer.Transform(wrongSize));
            MustFail(() => loaded.Transform(wrongSize));
            Assert.Equal(6, transformer.Transform(textLabel).GetColumn<float[]>("Score").Count());
            foreach (var invalid in invalidInputs)
            {
                MustFail(() => transformer.GetOutputSchema(invalid.Schema));
                MustFail(() => transformer.Transform(invalid));
                MustFail(() => loaded.GetOutputSchema(invalid.Schema));
                MustFail(() => loaded.Transform(invalid));
            }

            // The transformer's schema conforms to the estimator's schema shape, both ways.
            var scoredShape = SchemaShapes.Of(transformer.GetOutputSchema(validFitInput.Schema));
            Assert.Equal(outSchemaShape.Count, scoredShape.Count);
            foreach (var (expected, actual) in outSchemaShape.OrderBy(c => c.Name, StringComparer.Ordinal).Zip(scoredShape.OrderBy(c => c.Name, StringComparer.Ordinal)))
            {
                Assert.Equal(expected.Name, actual.Name);
                // SchemaShape.Column.IsCompatibleWith (internal to ML.NET), both ways: kind, item type, key flag, annotations.
                Assert.Equal(expected.Kind, actual.Kind);
                Assert.True(expected.ItemType.Equals(actual.ItemType), $"column '{expected.Name}': estimator {expected.ItemType}, transformer {actual.ItemType}");
                Assert.Equal(expected.IsKey, actual.IsKey);
                Assert.Equal(Names(expected.Annotations), Names(actual.Annotations));
            }
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    // ML.NET's mustFail: the action throws ArgumentOutOfRangeException or InvalidOperationException itself.
    private static void MustFail(Action action)
    {
        var error = Record.Exception(action);
        Assert.NotNull(error);
        Assert.True(error is ArgumentOutOfRangeException or InvalidOperationException, $"expected ArgumentOutOfRangeException or InvalidOperationException, got {error.GetType().Name}: {error.Message}");
    }

    private static void CheckOnData(ITransformer transformer, ITransformer loaded, IDataView data)
    {
        var schema = transformer.GetOutputSchema(data.Schema);
        AssertSameSchema(schema, loaded.GetOutputSchema(data.Schema));
        var scored = transformer.Transform(data);
        var scoredAgain = loaded.Transform(data);
        AssertSameSchema(schema, scored.Schema);
        AssertSameSchema(scored.Schema, scoredAgain.Schema);

        var scores = scored.GetColumn<float[]>("Score").ToArray();
        Assert.Equal(data.GetRowCount() ?? scores.Length, scores.Length);
        Assert.Equal(scores, scoredAgain.GetColumn<float[]>("Score").ToArray());
        Assert.Equal(scored.GetColumn<uint>("PredictedLabel").ToArray(), scoredAgain.GetColumn<uint>("PredictedLabel").ToArray());
        Assert.All(scores, s => Assert.Equal(1.0, s.Sum(), 4));

        // PredictionEngine's path: the row-to-row mapper has the same schema and the same values.
        Assert.True(transformer.IsRowToRowMapper);
        var mapper = transformer.GetRowToRowMapper(data.Schema);
        AssertSameSchema(schema, mapper.OutputSchema);
        using var cursor = data.GetRowCursor(data.Schema);
        using var row = mapper.GetRow(cursor, [mapper.OutputSchema["Score"]]);
        var getter = row.GetGetter<VBuffer<float>>(mapper.OutputSchema["Score"]);
        VBuffer<float> value = default;
        for (int i = 0; i < 3 && cursor.MoveNext(); i++)
        {
            getter(ref value);
            // One row is a batch of 1, Transform a batch of all rows: the same network, another summation order
            // (float32 GEMM blocking), so equal to within float rounding, as ML.NET's CheckSameValues allows (1e-6 relative).
            Assert.Equal(scores[i], value.DenseValues().ToArray(), (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1f, Math.Abs(a)));
        }

    }

    // ML.NET's CheckSameSchemas: column names, types, hidden flags, annotation names, types and values.
    private static void AssertSameSchema(DataViewSchema expected, DataViewSchema actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.IsHidden, a.IsHidden);
            Assert.True(e.Type.Equals(a.Type), $"column '{e.Name}': {e.Type} vs {a.Type}");
            Assert.Equal(e.Annotations.Schema.Select(c => c.Name), a.Annotations.Schema.Select(c => c.Name));
            foreach (var annotation in e.Annotations.Schema)
            {
                var other = a.Annotations.Schema[annotation.Name];
                Assert.True(annotation.Type.Equals(other.Type), $"annotation {e.Name}.{annotation.Name}: {annotation.Type} vs {other.Type}");
                Assert.Equal(AnnotationText(e.Annotations, annotation), AnnotationText(a.Annotations, other));
            }
        }
    }

    private static string AnnotationText(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
    {
        var raw = column.Type is VectorDataViewType vector ? typeof(VBuffer<>).MakeGenericType(vector.ItemType.RawType) : column.Type.RawType;
        return (string)typeof(EstimatorConformanceTests).GetMethod(nameof(ReadAnnotation), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(raw).Invoke(null, [annotations, column])!;
    }

    private static string ReadAnnotation<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
    {
        T value = default!;
        annotations.GetGetter<T>(column)(ref value);
        return value switch
        {
            VBuffer<ReadOnlyMemory<char>> text => string.Join("|", text.DenseValues().Select(t => t.ToString())),
            ReadOnlyMemory<char> text => text.ToString(),
            _ => value?.ToString() ?? "null",
        };
    }

    private static IEnumerable<string> Names(SchemaShape annotations) => annotations.Select(a => a.Name).Order(StringComparer.Ordinal);

    private static float[] Image(int seed, int size)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, size).Select(_ => (float)random.NextDouble())];
    }

    private static LabeledRow[] LabeledRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new LabeledRow { Features = Image(i, 3 * Side * Side), Label = (uint)(i % Classes) })];

    private static UnlabeledRow[] UnlabeledRows(int count) =>
        [.. Enumerable.Range(100, count).Select(i => new UnlabeledRow { Features = Image(i, 3 * Side * Side) })];

    private static WrongSizeRow[] WrongSizeRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new WrongSizeRow { Features = Image(i, 3 * 8 * 8), Label = (uint)(i % Classes) })];

    private static RenamedFeatureRow[] RenamedFeatureRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new RenamedFeatureRow { Pixels = Image(i, 3 * Side * Side), Label = (uint)(i % Classes) })];

    private static DoubleFeatureRow[] DoubleFeatureRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new DoubleFeatureRow { Features = [.. Image(i, 3 * Side * Side).Select(v => (double)v)], Label = (uint)(i % Classes) })];

    private static TextLabelRow[] TextLabelRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new TextLabelRow { Features = Image(i, 3 * Side * Side), Label = $"class {i % Classes}" })];

    private static SchemaDefinition DoubleSchema() => WithKey(SchemaDefinition.Create(typeof(DoubleFeatureRow)));

    private static SchemaDefinition LabeledSchema() => WithKey(SchemaDefinition.Create(typeof(LabeledRow)));

    private static SchemaDefinition WrongSizeSchema() => WithKey(SchemaDefinition.Create(typeof(WrongSizeRow)));

    private static SchemaDefinition RenamedSchema() => WithKey(SchemaDefinition.Create(typeof(RenamedFeatureRow)));

    private static SchemaDefinition WithKey(SchemaDefinition schema)
    {
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), Classes);
        return schema;
    }

    public sealed class LabeledRow
    {
        [VectorType(3, Side, Side)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    public sealed class UnlabeledRow
    {
        [VectorType(3, Side, Side)]
        public float[] Features { get; set; } = [];
    }

    public sealed class WrongSizeRow
    {
        [VectorType(3, 8, 8)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    public sealed class DoubleFeatureRow
    {
        [VectorType(3, Side, Side)]
        public double[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    public sealed class TextLabelRow
    {
        [VectorType(3, Side, Side)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = string.Empty;
    }

    public sealed class RenamedFeatureRow
    {
        [VectorType(3, Side, Side)]
        public float[] Pixels { get; set; } = [];

        public uint Label { get; set; }
    }
}
