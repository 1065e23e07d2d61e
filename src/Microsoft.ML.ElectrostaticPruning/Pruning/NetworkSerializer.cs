using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// Saves and loads zoo networks, pruned or dense, as one self-describing stream: architecture, input shape, class
/// count, widths and input normalization, followed by the TorchSharp state dictionary.
/// Layout (little-endian): 8-byte magic "EPRUNED\x1A", int32 version (2), int32 spec length, UTF-8 JSON spec,
/// int64 weights length, weights (<c>Module.save</c>), SHA-256 of spec and weights (32 bytes).
/// Version 2 added the optional <c>NormalizationMean</c> / <c>NormalizationStd</c> to the spec; version 1 files (no
/// normalization) still load.
/// </summary>
internal static class NetworkSerializer
{
    private const int Version = 2;
    private const int OldestReadableVersion = 1;
    private const int MaxSpecBytes = 1 << 20;
    private const int HashBytes = 32;
    private static readonly byte[] Magic = "EPRUNED\u001A"u8.ToArray();

    /// <summary>Writes <paramref name="network"/> to <paramref name="stream"/>.</summary>
    public static void Save(CnnNetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        if (network.IsBatchNormFolded)
        {
            throw new ArgumentException($"This {network.Architecture} has its BatchNorms folded for inference (ForInference()); save the trainable network and fold it after loading.", nameof(network));
        }

        var normalization = network.InputNormalization;
        var spec = new NetworkSpec(
            network.Architecture.ToString(),
            network.InputShape.Channels,
            network.InputShape.Height,
            network.InputShape.Width,
            network.ClassCount,
            [.. network.Widths],
            normalization is null ? null : [.. normalization.Mean],
            normalization is null ? null : [.. normalization.Std]);
        byte[] specBytes = JsonSerializer.SerializeToUtf8Bytes(spec);
        byte[] weights;
        using (var buffer = new MemoryStream())
        {
            network.save(buffer);
            weights = buffer.ToArray();
        }

        var header = new byte[Magic.Length + 8];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length + 4), specBytes.Length);
        var weightsLength = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(weightsLength, weights.LongLength);
        stream.Write(header);
        stream.Write(specBytes);
        stream.Write(weightsLength);
        stream.Write(weights);
        stream.Write(Checksum(specBytes, weights));
        stream.Flush();
    }

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/> atomically (temporary file in the same folder, then a rename).</summary>
    public static void Save(CnnNetwork network, string path)
    {
        AtomicFile.Write(path, stream => Save(network, stream));
    }

    /// <summary>Reads a network written by <see cref="Save(CnnNetwork, Stream)"/>; it is returned in eval mode.</summary>
    /// <exception cref="InvalidDataException">The stream is not such a network, is truncated or corrupted; the message says which.</exception>
    public static CnnNetwork Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] magic = ReadExactly(stream, Magic.Length, "the file signature");
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an ElectrostaticPruning network: the file does not start with the signature \"EPRUNED\\x1A\".");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(stream, 4, "the format version"));
        if (version < OldestReadableVersion || version > Version)
        {
            throw new InvalidDataException($"ElectrostaticPruning network format version {version} is not supported; this library reads versions {OldestReadableVersion}-{Version}.");
        }

        int specLength = BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(stream, 4, "the specification length"));
        if (specLength <= 0 || specLength > MaxSpecBytes)
        {
            throw new InvalidDataException($"Corrupted network file: specification length {specLength} is outside 1-{MaxSpecBytes} bytes.");
        }

        byte[] specBytes = ReadExactly(stream, specLength, "the network specification");
        long weightsLength = BinaryPrimitives.ReadInt64LittleEndian(ReadExactly(stream, 8, "the weights length"));
        if (weightsLength <= 0 || weightsLength > Array.MaxLength)
        {
            throw new InvalidDataException($"Corrupted network file: weights length {weightsLength} is not a valid size.");
        }

        byte[] weights = ReadExactly(stream, (int)weightsLength, "the weights");
        byte[] checksum = ReadExactly(stream, HashBytes, "the checksum");
        if (!checksum.AsSpan().SequenceEqual(Checksum(specBytes, weights)))
        {
            throw new InvalidDataException("Corrupted network file: the SHA-256 checksum of the specification and weights does not match.");
        }

        var spec = ParseSpec(specBytes);
        if (version < 2 && (spec.NormalizationMean is not null || spec.NormalizationStd is not null))
        {
            throw new InvalidDataException($"Corrupted network file: a version {version} specification cannot hold an input normalization.");
        }

        var network = Create(spec);
        try
        {
            using var buffer = new MemoryStream(weights, writable: false);
            network.load(buffer, strict: true);
        }
        catch (Exception error) when (error is not InvalidDataException)
        {
            network.Dispose();
            throw new InvalidDataException($"The weights do not fit {network.Architecture} with the stored widths: {error.Message}", error);
        }

        network.eval();
        return network;
    }

    /// <summary>Reads a network file written by <see cref="Save(CnnNetwork, string)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a network, is truncated or corrupted.</exception>
    public static CnnNetwork Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.OpenRead(path);
        return Load(file);
    }

    private static NetworkSpec ParseSpec(byte[] specBytes)
    {
        try
        {
            return JsonSerializer.Deserialize<NetworkSpec>(specBytes) ?? throw new InvalidDataException("Corrupted network file: the specification is empty.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"Corrupted network file: the specification is not valid JSON ({error.Message}).", error);
        }
    }

    private static CnnNetwork Create(NetworkSpec spec)
    {
        if (!Enum.TryParse<CnnArchitecture>(spec.Architecture, ignoreCase: false, out var architecture) || !Enum.IsDefined(architecture))
        {
            throw new InvalidDataException($"The network file names an unknown architecture '{spec.Architecture}'; expected one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}.");
        }

        InputNormalization? normalization;
        try
        {
            normalization = spec.NormalizationMean is null && spec.NormalizationStd is null
                ? null
                : new InputNormalization(spec.NormalizationMean ?? [], spec.NormalizationStd ?? []);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"The network specification holds an invalid input normalization: {error.Message}", error);
        }

        CnnNetwork network;
        try
        {
            network = CnnZoo.Create(architecture, new ImageShape(spec.Channels, spec.Height, spec.Width), spec.ClassCount, spec.Widths ?? []);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"The network specification does not describe a valid {architecture}: {error.Message}", error);
        }

        try
        {
            network.InputNormalization = normalization;
            return network;
        }
        catch (ArgumentException error)
        {
            network.Dispose();
            throw new InvalidDataException($"The network specification does not describe a valid {architecture}: {error.Message}", error);
        }
    }

    private static byte[] ReadExactly(Stream stream, int count, string what)
    {
        var buffer = new byte[count];
        int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        return read == count
            ? buffer
            : throw new InvalidDataException($"Truncated network file: it ends inside {what} ({read} of {count} bytes present).");
    }

    private static byte[] Checksum(byte[] spec, byte[] weights)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(spec);
        hash.AppendData(weights);
        return hash.GetHashAndReset();
    }

    // Version 2 added NormalizationMean and NormalizationStd (both null, and left out of the JSON, without normalization).
    private sealed record NetworkSpec(
        string Architecture,
        int Channels,
        int Height,
        int Width,
        int ClassCount,
        int[]? Widths,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[]? NormalizationMean = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[]? NormalizationStd = null);
}
