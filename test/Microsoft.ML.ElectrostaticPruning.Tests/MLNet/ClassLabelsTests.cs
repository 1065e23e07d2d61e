using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

public sealed class ClassLabelsTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void NumericKeyValuesRoundTripWithTheirTypeAndBecomeSlotNames()
    {
        // MapValueToKey over a float label keeps float key values (ordered by first occurrence).
        var data = _ml.Data.LoadFromEnumerable(new[] { new FloatLabel { Label = 2.5f }, new FloatLabel { Label = -1f }, new FloatLabel { Label = 7f } });
        var keyed = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var labels = ClassLabels.FromLabelColumn(keyed.Schema["Label"]);

        var copy = RoundTrip(labels);

        Assert.Equal(NumberDataViewType.Single, copy.ValueType);
        Assert.Equal(new object[] { 2.5f, -1f, 7f }, copy.Values);
        Assert.Equal(new[] { "2.5", "-1", "7" }, copy.Names);
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), copy.KeyType);

        var builder = new DataViewSchema.Annotations.Builder();
        copy.AddKeyValues(builder);
        VBuffer<float> values = default;
        builder.ToAnnotations().GetValue("KeyValues", ref values);
        Assert.Equal(new[] { 2.5f, -1f, 7f }, values.DenseValues());
    }

    [Fact]
    public void AKeyWithoutKeyValuesGetsNumberedNames()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Label", new KeyDataViewType(typeof(ulong), 4));
        var labels = RoundTrip(ClassLabels.FromLabelColumn(builder.ToSchema()["Label"]));

        Assert.Null(labels.Values);
        Assert.Equal(new[] { "0", "1", "2", "3" }, labels.Names);
        Assert.Equal(typeof(ulong), labels.KeyType.RawType);
    }

    [Fact]
    public void ACorruptClassTableIsRejected()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)4);
            writer.Write(3UL);
            writer.Write(true);
            writer.Write("TX");
            writer.Write(2); // two values for three classes
            writer.Write("a");
            writer.Write("b");
        }

        stream.Position = 0;
        var ex = Assert.Throws<InvalidDataException>(() => ClassLabels.Load(new BinaryReader(stream)));
        Assert.Equal("The model has 3 classes but 2 class values.", ex.Message);
    }

    private static ClassLabels RoundTrip(ClassLabels labels)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            labels.Save(writer);
        }

        stream.Position = 0;
        return ClassLabels.Load(new BinaryReader(stream));
    }

    public sealed class FloatLabel
    {
        public float Label { get; set; }
    }
}
