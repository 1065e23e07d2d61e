namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>
/// Parser for the IDX format of MNIST and Fashion-MNIST (big-endian header: magic 0x00000803 for unsigned-byte
/// images with 3 dimensions, 0x00000801 for labels with 1 dimension), raw or gzip-compressed.
/// </summary>
internal static class IdxFile
{
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file: returns the image count, height, width and the pixels (row-major per image).</summary>
    /// <exception cref="InvalidDataException">The file is not an IDX image file or is truncated.</exception>
    public static (int Count, int Height, int Width, byte[] Pixels) ReadImages(string path)
    {
        byte[] data = BinaryFiles.ReadAll(path);
        RequireHeader(path, data, ImagesMagic, headerBytes: 16, "an IDX image file (unsigned bytes, 3 dimensions)");
        int count = BinaryFiles.ReadInt32BigEndian(data, 4);
        int height = BinaryFiles.ReadInt32BigEndian(data, 8);
        int width = BinaryFiles.ReadInt32BigEndian(data, 12);
        if (count < 0 || height <= 0 || width <= 0)
        {
            throw new InvalidDataException($"IDX image file '{path}' has an invalid header: {count} images of {height}x{width}.");
        }

        long expected = 16L + ((long)count * height * width);
        if (data.LongLength < expected)
        {
            throw new InvalidDataException(
                $"IDX image file '{path}' is truncated: the header announces {count} images of {height}x{width} ({expected} bytes) but the file has {data.LongLength} bytes.");
        }

        return (count, height, width, data.AsSpan(16, (int)(expected - 16)).ToArray());
    }

    /// <summary>Reads a label file: one byte per image.</summary>
    /// <exception cref="InvalidDataException">The file is not an IDX label file or is truncated.</exception>
    public static byte[] ReadLabels(string path)
    {
        byte[] data = BinaryFiles.ReadAll(path);
        RequireHeader(path, data, LabelsMagic, headerBytes: 8, "an IDX label file (unsigned bytes, 1 dimension)");
        int count = BinaryFiles.ReadInt32BigEndian(data, 4);
        if (count < 0)
        {
            throw new InvalidDataException($"IDX label file '{path}' has an invalid header: {count} labels.");
        }

        if (data.LongLength < 8L + count)
        {
            throw new InvalidDataException(
                $"IDX label file '{path}' is truncated: the header announces {count} labels but the file has {data.LongLength - 8} label bytes.");
        }

        return data.AsSpan(8, count).ToArray();
    }

    private static void RequireHeader(string path, byte[] data, int magic, int headerBytes, string expected)
    {
        if (data.Length < headerBytes)
        {
            throw new InvalidDataException($"'{path}' is not {expected}: it has only {data.Length} bytes, fewer than the {headerBytes}-byte header.");
        }

        int actual = BinaryFiles.ReadInt32BigEndian(data, 0);
        if (actual != magic)
        {
            throw new InvalidDataException($"'{path}' is not {expected}: magic number 0x{actual:X8}, expected 0x{magic:X8}.");
        }
    }
}
