namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>
/// Parser for the CIFAR-10 / CIFAR-100 "binary version" files (e.g. <c>data_batch_1.bin</c>, <c>train.bin</c>):
/// fixed-size records of label byte(s) followed by 3072 pixel bytes in planar R, G, B order of a 32x32 image.
/// </summary>
internal static class CifarBinaryFile
{
    /// <summary>Image side length in pixels.</summary>
    public const int Side = 32;

    /// <summary>Pixel bytes per record: 3 planes of 32x32.</summary>
    public const int PixelBytes = 3 * Side * Side;

    /// <summary>Number of classes of the label that <paramref name="format"/> selects.</summary>
    public static int ClassCount(CifarFormat format) => format switch
    {
        CifarFormat.Cifar10 => 10,
        CifarFormat.Cifar100Fine => 100,
        CifarFormat.Cifar100Coarse => 20,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown CIFAR format."),
    };

    /// <summary>Reads one file; returns planar RGB pixels (N x 3072) and labels (N).</summary>
    /// <exception cref="InvalidDataException">The file length is not a whole number of records, or a label is out of range.</exception>
    public static (byte[] Pixels, int[] Labels) Read(string path, CifarFormat format)
    {
        int labelBytes = format == CifarFormat.Cifar10 ? 1 : 2;
        int labelOffset = format == CifarFormat.Cifar100Fine ? 1 : 0;
        int recordBytes = labelBytes + PixelBytes;
        int classes = ClassCount(format);

        byte[] data = BinaryFiles.ReadAll(path);
        if (data.Length == 0 || data.Length % recordBytes != 0)
        {
            throw new InvalidDataException(
                $"'{path}' is not a {format} binary file: its length {data.Length} is not a positive multiple of the {recordBytes}-byte record " +
                $"({labelBytes} label byte(s) + {PixelBytes} pixel bytes). The file may be truncated or of the other CIFAR format.");
        }

        int count = data.Length / recordBytes;
        var pixels = new byte[(long)count * PixelBytes];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int record = i * recordBytes;
            int label = data[record + labelOffset];
            if (label >= classes)
            {
                throw new InvalidDataException($"'{path}' record {i} has label {label}, outside 0..{classes - 1} for {format}: is it a file of the other CIFAR format?");
            }

            labels[i] = label;
            Buffer.BlockCopy(data, record + labelBytes, pixels, i * PixelBytes, PixelBytes);
        }

        return (pixels, labels);
    }
}
