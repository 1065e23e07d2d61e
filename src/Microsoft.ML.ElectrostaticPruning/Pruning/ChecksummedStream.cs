using System.Security.Cryptography;
using System.Text;

namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// The envelope of the model's small side streams (<see cref="WidthStatistics"/>, <see cref="FilterOrder"/>): an 8-byte
/// magic, an int32 version, the payload, then the SHA-256 of everything before it (32 bytes), all little-endian.
/// </summary>
internal static class ChecksummedStream
{
    private const int HashBytes = 32;

    /// <summary>Writes <paramref name="magic"/>, <paramref name="version"/>, what <paramref name="payload"/> writes and the hash to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, byte[] magic, int version, Action<BinaryWriter> payload)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(payload);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magic);
            writer.Write(version);
            payload(writer);
        }

        byte[] bytes = buffer.ToArray();
        stream.Write(bytes);
        stream.Write(SHA256.HashData(bytes));
    }

    /// <summary>
    /// Checks the magic, the hash and the version of what <see cref="Write"/> wrote, calls <paramref name="payload"/> with a
    /// reader at the payload and checks that it read all of it; every failure throws <see cref="InvalidDataException"/>
    /// naming <paramref name="what"/>.
    /// </summary>
    public static T Read<T>(Stream stream, byte[] magic, int version, string what, Func<BinaryReader, T> payload)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(payload);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] all = copy.ToArray();
        if (all.Length < magic.Length + 4 + HashBytes || !all.AsSpan(0, magic.Length).SequenceEqual(magic))
        {
            throw new InvalidDataException($"Not a {what} stream (bad magic or too short).");
        }

        if (!SHA256.HashData(all.AsSpan(0, all.Length - HashBytes)).AsSpan().SequenceEqual(all.AsSpan(all.Length - HashBytes)))
        {
            throw new InvalidDataException($"The {what} stream is corrupt (SHA-256 mismatch).");
        }

        using var reader = new BinaryReader(new MemoryStream(all, 0, all.Length - HashBytes), Encoding.UTF8);
        reader.ReadBytes(magic.Length);
        int found = reader.ReadInt32();
        if (found != version)
        {
            throw new InvalidDataException($"{char.ToUpperInvariant(what[0])}{what[1..]} version {found} is not supported (this library reads version {version}).");
        }

        T result;
        try
        {
            result = payload(reader);
        }
        catch (EndOfStreamException error)
        {
            throw new InvalidDataException($"The {what} stream ends early.", error);
        }

        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException($"The {what} stream has trailing bytes.");
        }

        return result;
    }
}
