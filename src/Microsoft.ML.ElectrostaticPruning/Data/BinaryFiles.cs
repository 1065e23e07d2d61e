using System.IO.Compression;

namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>Reads whole data files, transparently un-gzipping them (detected by the gzip magic bytes, not the extension).</summary>
internal static class BinaryFiles
{
    /// <summary>Returns the (decompressed) content of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is gzip-compressed but the compressed stream is corrupt or truncated.</exception>
    public static byte[] ReadAll(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }

        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
        {
            return raw;
        }

        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw, writable: false), CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 4);
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"Data file '{path}' is gzip-compressed but could not be decompressed (corrupt or truncated): {ex.Message}", ex);
        }
    }

    /// <summary>Big-endian 32-bit integer at <paramref name="offset"/>.</summary>
    public static int ReadInt32BigEndian(byte[] data, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset, 4));
}
