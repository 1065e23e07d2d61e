using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Binary encoding of the primitive item types a label's <c>KeyValues</c> can have (text, numbers, booleans), so a saved
/// model restores the class values with their original type and MapKeyToValue after loading returns the same values.
/// </summary>
internal static class KeyValueCodec
{
    private static readonly Dictionary<Type, (string Code, PrimitiveDataViewType Type, Action<BinaryWriter, object> Write, Func<BinaryReader, object> Read)> ByRawType = new()
    {
        [typeof(ReadOnlyMemory<char>)] = ("TX", TextDataViewType.Instance, (w, v) => w.Write(((ReadOnlyMemory<char>)v).ToString()), r => r.ReadString().AsMemory()),
        [typeof(float)] = ("R4", NumberDataViewType.Single, (w, v) => w.Write((float)v), r => r.ReadSingle()),
        [typeof(double)] = ("R8", NumberDataViewType.Double, (w, v) => w.Write((double)v), r => r.ReadDouble()),
        [typeof(sbyte)] = ("I1", NumberDataViewType.SByte, (w, v) => w.Write((sbyte)v), r => r.ReadSByte()),
        [typeof(short)] = ("I2", NumberDataViewType.Int16, (w, v) => w.Write((short)v), r => r.ReadInt16()),
        [typeof(int)] = ("I4", NumberDataViewType.Int32, (w, v) => w.Write((int)v), r => r.ReadInt32()),
        [typeof(long)] = ("I8", NumberDataViewType.Int64, (w, v) => w.Write((long)v), r => r.ReadInt64()),
        [typeof(byte)] = ("U1", NumberDataViewType.Byte, (w, v) => w.Write((byte)v), r => r.ReadByte()),
        [typeof(ushort)] = ("U2", NumberDataViewType.UInt16, (w, v) => w.Write((ushort)v), r => r.ReadUInt16()),
        [typeof(uint)] = ("U4", NumberDataViewType.UInt32, (w, v) => w.Write((uint)v), r => r.ReadUInt32()),
        [typeof(ulong)] = ("U8", NumberDataViewType.UInt64, (w, v) => w.Write((ulong)v), r => r.ReadUInt64()),
        [typeof(bool)] = ("BL", BooleanDataViewType.Instance, (w, v) => w.Write((bool)v), r => r.ReadBoolean()),
    };

    /// <summary>Whether values of <paramref name="rawType"/> can be saved.</summary>
    public static bool Supports(Type rawType) => ByRawType.ContainsKey(rawType);

    /// <summary>Writes the type code and the values.</summary>
    public static void Write<T>(BinaryWriter writer, PrimitiveDataViewType type, IReadOnlyList<T> values)
    {
        var codec = ByRawType[type.RawType];
        writer.Write(codec.Code);
        writer.Write(values.Count);
        foreach (var value in values)
        {
            codec.Write(writer, value!);
        }
    }

    /// <summary>Reads what <see cref="Write{T}"/> wrote: the item type and the boxed values.</summary>
    /// <exception cref="InvalidDataException">Unknown type code or a negative count.</exception>
    public static (PrimitiveDataViewType Type, object[] Values) Read(BinaryReader reader)
    {
        string code = reader.ReadString();
        var codec = ByRawType.Values.FirstOrDefault(c => c.Code == code);
        if (codec.Code is null)
        {
            throw new InvalidDataException($"Unknown class-value type code '{code}'.");
        }

        int count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"Invalid class-value count {count}.");
        }

        var values = new object[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = codec.Read(reader);
        }

        return (codec.Type, values);
    }

    /// <summary>Display text of a key value (invariant culture), used for <c>SlotNames</c>.</summary>
    public static string ToText(object value) => value switch
    {
        ReadOnlyMemory<char> text => text.ToString(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
