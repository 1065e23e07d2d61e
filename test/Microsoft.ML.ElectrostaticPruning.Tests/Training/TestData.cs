using System.IO.Compression;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Models;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

/// <summary>Datasets for training tests: a tiny synthetic one and the embedded Fashion-MNIST subset.</summary>
internal static class TestData
{
    /// <summary>
    /// <paramref name="count"/> 1x8x8 images of 3 classes: class k has a bright 4x4 patch in quadrant k plus noise,
    /// so a small CNN learns it in a few steps.
    /// </summary>
    public static ImageDataset Synthetic(int count, int seed = 1)
    {
        var random = new Random(seed);
        var shape = new ImageShape(1, 8, 8);
        var features = new float[count * shape.Size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 3;
            labels[i] = label;
            for (int p = 0; p < shape.Size; p++)
            {
                int y = p / 8, x = p % 8;
                bool inPatch = (y / 4) == (label / 2) && (x / 4) == (label % 2);
                features[(i * shape.Size) + p] = (inPatch ? 1f : 0f) + (0.3f * (float)(random.NextDouble() - 0.5));
            }
        }

        return new ImageDataset(features, labels, shape, 3);
    }

    /// <summary>The first <paramref name="count"/> images of the embedded Fashion-MNIST subset, scaled to [0, 1].</summary>
    public static ImageDataset FashionMnist(bool train, int count)
    {
        string folder = Path.Combine(RepositoryRoot(), "data", "fashion-mnist");
        string prefix = train ? "train" : "t10k";
        byte[] images = ReadIdx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), 3, out int[] imageDims);
        byte[] labels = ReadIdx(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), 1, out _);
        int size = imageDims[1] * imageDims[2];
        count = Math.Min(count, imageDims[0]);
        var features = new float[count * size];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = images[i] / 255f;
        }

        return new ImageDataset(features, labels.Take(count).Select(b => (int)b).ToArray(), new ImageShape(1, imageDims[1], imageDims[2]), 10);
    }

    /// <summary>The folder holding ElectrostaticPruning.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ElectrostaticPruning.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"ElectrostaticPruning.sln not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>Minimal big-endian IDX reader (unsigned-byte data only), enough for the test data.</summary>
    private static byte[] ReadIdx(string path, int rank, out int[] dimensions)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] bytes = memory.ToArray();
        if (bytes[2] != 0x08 || bytes[3] != rank)
        {
            throw new InvalidDataException($"{path}: expected unsigned-byte IDX data of rank {rank}.");
        }

        dimensions = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dimensions[d] = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * d)));
        }

        return bytes[(4 + (4 * rank))..];
    }
}
