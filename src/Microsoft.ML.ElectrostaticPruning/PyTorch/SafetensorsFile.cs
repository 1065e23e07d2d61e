using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>
/// The safetensors format (huggingface/safetensors): an unsigned 64-bit little-endian header length N, N bytes of UTF-8
/// JSON that map each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets counted from the
/// end of the header) plus an optional <c>"__metadata__"</c> object of strings, then the raw little-endian tensor bytes,
/// which the entries tile without gaps. <see cref="Write"/> writes it (the header padded with spaces to a multiple of 8
/// bytes, as the reference writer does); <see cref="ReadHeader"/> checks a header completely, so that a truncated or
/// corrupt file fails with a message before any tensor is read.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>The header key of the metadata object (string keys and values).</summary>
    public const string MetadataKey = "__metadata__";

    // The reference implementation refuses headers above 100 MB.
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>The dtypes TorchSharp.PyBridge reads, with their element sizes in bytes.</summary>
    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>The safetensors name of <paramref name="dtype"/>, e.g. <c>F32</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The format has no such dtype (complex types, for instance).</exception>
    public static string DTypeName(ScalarType dtype) =>
        DTypes.FirstOrDefault(d => d.Value.Type == dtype).Key
        ?? throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"safetensors has no {dtype} dtype; supported: {string.Join(", ", DTypes.Keys)}.");

    /// <summary>
    /// Writes <paramref name="tensors"/> (in this order) and <paramref name="metadata"/> to <paramref name="stream"/>.
    /// Tensors may live on any device and in any layout: their values are written in row-major order of their shape.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or <see cref="MetadataKey"/>, or a dtype has no safetensors name.</exception>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Writing safetensors needs a little-endian machine (the format stores little-endian values).");
        }

        using var scope = NewDisposeScope();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var prepared = new List<(string Name, Tensor Values, string DType)>(tensors.Count);
        foreach (var (name, value) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey || !names.Add(name))
            {
                throw new ArgumentException($"Tensor name '{name}' is empty, repeated or reserved ({MetadataKey}).", nameof(tensors));
            }

            ArgumentNullException.ThrowIfNull(value, nameof(tensors));
            string dtype;
            try
            {
                dtype = DTypeName(value.dtype);
            }
            catch (ArgumentOutOfRangeException error)
            {
                throw new ArgumentException($"Tensor '{name}': {error.Message}", nameof(tensors), error);
            }

            prepared.Add((name, value.detach().cpu().contiguous(), dtype));
        }

        byte[] header = Header(prepared, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, values, _) in prepared)
        {
            if (values.NumberOfElements > 0)
            {
                stream.Write(values.bytes);
            }
        }

        stream.Flush();
    }

    /// <summary>
    /// Reads and checks the header of the safetensors file in <paramref name="stream"/> (from its start, which must be
    /// seekable): valid JSON, known dtypes, byte counts that fit the shapes, offsets that tile the data exactly, and a
    /// file long enough for them. The stream is left after the header.
    /// </summary>
    /// <param name="stream">The file.</param>
    /// <param name="fileName">How messages name the file.</param>
    /// <exception cref="InvalidDataException">The file is truncated or not valid safetensors; the message says where.</exception>
    public static SafetensorsHeader ReadHeader(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Position = 0;
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new InvalidDataException($"Truncated safetensors file '{fileName}': {fileLength} bytes, fewer than the 8-byte header length.");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: its first 8 bytes announce a {headerLength}-byte header (at most {MaxHeaderBytes} allowed).");
        }

        if ((long)headerLength > fileLength - 8)
        {
            throw new InvalidDataException($"Truncated safetensors file '{fileName}': it ends inside the JSON header ({fileLength - 8} of {headerLength} bytes present).");
        }

        var json = new byte[headerLength];
        stream.ReadExactly(json);
        var (entries, metadata) = ParseHeader(json, fileName);
        CheckLayout(entries, fileLength - 8 - (long)headerLength, fileName);
        return new SafetensorsHeader((long)headerLength, entries, metadata);
    }

    /// <summary>The TorchSharp dtype of a safetensors dtype name that <see cref="ReadHeader"/> accepted.</summary>
    public static ScalarType ScalarTypeOf(string dtypeName) => DTypes[dtypeName].Type;

    private static byte[] Header(List<(string Name, Tensor Values, string DType)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, values, dtype) in tensors)
            {
                long length = values.NumberOfElements * values.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long dimension in values.shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        // Spaces up to a multiple of 8, so that the data starts 8-byte aligned (JSON allows trailing whitespace).
        int padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static (List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] json, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: its header is not valid JSON ({error.Message}).", error);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: its header is a JSON {document.RootElement.ValueKind}, not an object.");
            }

            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: its header names '{property.Name}' twice.");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata, fileName);
                }
                else
                {
                    entries.Add(ReadEntry(property, fileName));
                }
            }

            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string fileName)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: {MetadataKey} is a JSON {element.ValueKind}, not an object of strings.");
        }

        foreach (var item in element.EnumerateObject())
        {
            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String
                ? item.Value.GetString()!
                : throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: {MetadataKey} value '{item.Name}' is a JSON {item.Value.ValueKind}, not a string.");
        }
    }

    private static SafetensorsEntry ReadEntry(JsonProperty property, string fileName)
    {
        string where = $"'{fileName}' is not a valid safetensors file: tensor '{property.Name}'";
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{where} has no \"dtype\" string, \"shape\" array and \"data_offsets\" array.");
        }

        string dtype = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtype, out var type))
        {
            throw new InvalidDataException($"'{fileName}': tensor '{property.Name}' has dtype {dtype}, which cannot be read; supported: {string.Join(", ", DTypes.Keys)}.");
        }

        var shape = new List<long>();
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            shape.Add(dimension.ValueKind == JsonValueKind.Number && dimension.TryGetInt64(out long d) && d >= 0
                ? d
                : throw new InvalidDataException($"{where} has a shape entry {dimension.GetRawText()} that is not a non-negative integer."));
        }

        long[] offsets = [.. offsetsElement.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long v) && v >= 0 ? v : -1)];
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
        {
            throw new InvalidDataException($"{where} has data_offsets {offsetsElement.GetRawText()}; expected [begin, end] with 0 <= begin <= end.");
        }

        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (product, d) => product * d) * type.Size);
        }
        catch (OverflowException error)
        {
            throw new InvalidDataException($"{where} has a shape [{string.Join(", ", shape)}] too large to address.", error);
        }

        if (bytes != offsets[1] - offsets[0])
        {
            throw new InvalidDataException($"{where} is {dtype} of shape [{string.Join(", ", shape)}], {bytes} bytes, but its data_offsets span {offsets[1] - offsets[0]} bytes.");
        }

        return new SafetensorsEntry(property.Name, dtype, shape, offsets[0], offsets[1]);
    }

    // The entries must tile [0, dataLength) exactly, as the format requires; a short file is reported as truncated.
    private static void CheckLayout(List<SafetensorsEntry> entries, long dataLength, string fileName)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long next = 0;
        foreach (var entry in entries)
        {
            if (entry.Begin != next)
            {
                throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: tensor '{entry.Name}' starts at data byte {entry.Begin}, but the tensors before it end at {next} (the data must have no gaps or overlaps).");
            }

            if (entry.End > dataLength)
            {
                throw new InvalidDataException($"Truncated safetensors file '{fileName}': it ends inside tensor '{entry.Name}' (the data has {dataLength} bytes, the header needs {entries[^1].End}).");
            }

            next = entry.End;
        }

        if (next != dataLength)
        {
            throw new InvalidDataException($"'{fileName}' is not a valid safetensors file: {dataLength - next} bytes follow the last tensor's data.");
        }
    }
}
