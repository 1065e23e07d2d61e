using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// What the model knows about its classes: the label's key type (raw type and count K) and, when the label had them,
/// its <c>KeyValues</c> with their original item type. The transformer keeps this itself because the label column is
/// absent at prediction time, yet <c>PredictedLabel</c> must carry the same <c>KeyValues</c> for MapKeyToValue and
/// <c>Score</c> the class names as <c>SlotNames</c>.
/// </summary>
internal sealed class ClassLabels
{
    private ClassLabels(KeyDataViewType keyType, PrimitiveDataViewType? valueType, object[]? values)
    {
        KeyType = keyType;
        ValueType = valueType;
        Values = values;
        Names = values is null
            ? Enumerable.Range(0, Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : values.Select(KeyValueCodec.ToText).ToArray();
    }

    /// <summary>The label's key type; <c>PredictedLabel</c> has exactly this type.</summary>
    public KeyDataViewType KeyType { get; }

    /// <summary>Number of classes K.</summary>
    public int Count => (int)KeyType.Count;

    /// <summary>Item type of the key values, or null when the label had none.</summary>
    public PrimitiveDataViewType? ValueType { get; }

    /// <summary>The key values (boxed, in key order), or null when the label had none.</summary>
    public object[]? Values { get; }

    /// <summary>Display names of the classes: the key values as text, or "0".."K-1".</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Reads the class information of a label column that has already been checked to be a key type of known count.
    /// Key values of a type that cannot be saved (for example DateTime) are kept as their text.
    /// </summary>
    public static ClassLabels FromLabelColumn(DataViewSchema.Column label)
    {
        var keyType = (KeyDataViewType)label.Type;
        var annotation = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (annotation is not { Type: VectorDataViewType { ItemType: PrimitiveDataViewType itemType } vectorType } || vectorType.Size != (int)keyType.Count)
        {
            return new ClassLabels(keyType, null, null);
        }

        var read = typeof(ClassLabels).GetMethod(nameof(ReadKeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(itemType.RawType);
        var values = (object[])read.Invoke(null, [label.Annotations])!;
        return KeyValueCodec.Supports(itemType.RawType)
            ? new ClassLabels(keyType, itemType, values)
            : new ClassLabels(keyType, TextDataViewType.Instance, values.Select(v => (object)KeyValueCodec.ToText(v).AsMemory()).ToArray());
    }

    /// <summary>
    /// <paramref name="count"/> classes of a <c>UInt32</c> key, with <paramref name="names"/> as text key values, or without
    /// key values ("0".."K-1") when there are none: the classes of a network loaded from a file.
    /// </summary>
    public static ClassLabels FromNames(int count, IReadOnlyList<string>? names) =>
        new(new KeyDataViewType(typeof(uint), (ulong)count), names is null ? null : TextDataViewType.Instance, names?.Select(n => (object)n.AsMemory()).ToArray());

    /// <summary>Writes the key type and values.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(KeyTypeCode(KeyType.RawType));
        writer.Write(KeyType.Count);
        writer.Write(Values is not null);
        if (Values is not null)
        {
            KeyValueCodec.Write(writer, ValueType!, Values);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The data is inconsistent.</exception>
    public static ClassLabels Load(BinaryReader reader)
    {
        byte code = reader.ReadByte();
        Type rawType = code switch
        {
            1 => typeof(byte),
            2 => typeof(ushort),
            4 => typeof(uint),
            8 => typeof(ulong),
            _ => throw new InvalidDataException($"Unknown label key type code {code}."),
        };
        ulong count = reader.ReadUInt64();
        if (count < 2 || count > int.MaxValue)
        {
            throw new InvalidDataException($"Invalid class count {count}.");
        }

        var keyType = new KeyDataViewType(rawType, count);
        if (!reader.ReadBoolean())
        {
            return new ClassLabels(keyType, null, null);
        }

        var (valueType, values) = KeyValueCodec.Read(reader);
        if ((ulong)values.Length != count)
        {
            throw new InvalidDataException($"The model has {count} classes but {values.Length} class values.");
        }

        return new ClassLabels(keyType, valueType, values);
    }

    /// <summary>Adds <c>KeyValues</c> (when known) to an annotation builder.</summary>
    public void AddKeyValues(DataViewSchema.Annotations.Builder builder)
    {
        if (Values is not null)
        {
            typeof(ClassLabels).GetMethod(nameof(AddKeyValuesCore), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(ValueType!.RawType)
                .Invoke(this, [builder]);
        }
    }

    /// <summary>Adds <c>SlotNames</c> (the class names) to an annotation builder.</summary>
    public void AddSlotNames(DataViewSchema.Annotations.Builder builder)
    {
        var names = new VBuffer<ReadOnlyMemory<char>>(Count, Names.Select(n => n.AsMemory()).ToArray());
        builder.AddSlotNames(Count, (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));
    }

    private static object[] ReadKeyValues<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
        return values.DenseValues().Select(v => (object)v!).ToArray();
    }

    private void AddKeyValuesCore<T>(DataViewSchema.Annotations.Builder builder)
    {
        var values = new VBuffer<T>(Count, Values!.Cast<T>().ToArray());
        builder.AddKeyValues(Count, ValueType!, (ref VBuffer<T> value) => values.CopyTo(ref value));
    }

    private static byte KeyTypeCode(Type rawType) => rawType == typeof(byte) ? (byte)1
        : rawType == typeof(ushort) ? (byte)2
        : rawType == typeof(uint) ? (byte)4
        : rawType == typeof(ulong) ? (byte)8
        : throw new ArgumentException($"Unsupported key raw type {rawType}.", nameof(rawType));
}
