using System.Runtime.InteropServices;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using SkiaSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// Writes embedded Fashion-MNIST images as real PNG files in the "one folder per class" layout
/// (<c>root/&lt;class&gt;/train-0001.png</c>, <c>root/&lt;class&gt;/test-0001.png</c>), grayscale or RGB.
/// </summary>
internal static class FashionPngFolder
{
    /// <summary>Folder names of the classes ('/' is not allowed in a folder name).</summary>
    public static readonly string[] ClassFolders = KnownClassNames.FashionMnist.Select(n => n.Replace('/', '_')).ToArray();

    /// <summary>Writes the first <paramref name="trainCount"/> training and <paramref name="testCount"/> test images.</summary>
    /// <param name="root">Output folder.</param>
    /// <param name="trainCount">Images from the embedded training split.</param>
    /// <param name="testCount">Images from the embedded test split.</param>
    /// <param name="rgb">False: 8-bit grayscale PNGs. True: RGB PNGs with R = G = gray and B = 255 - gray.</param>
    public static void Write(string root, int trainCount, int testCount, bool rgb)
    {
        WriteSplit(root, "train", RepositoryData.TrainImages, RepositoryData.TrainLabels, trainCount, rgb);
        WriteSplit(root, "test", RepositoryData.TestImages, RepositoryData.TestLabels, testCount, rgb);
    }

    private static void WriteSplit(string root, string split, string images, string labels, int count, bool rgb)
    {
        var (_, height, width, pixels) = IdxFile.ReadImages(images);
        byte[] classes = IdxFile.ReadLabels(labels);
        for (int i = 0; i < count; i++)
        {
            string folder = Path.Combine(root, ClassFolders[classes[i]]);
            Directory.CreateDirectory(folder);
            var gray = pixels.AsSpan(i * height * width, height * width);
            File.WriteAllBytes(Path.Combine(folder, $"{split}-{i:D4}.png"), rgb ? EncodeRgb(gray, height, width) : EncodeGray(gray, height, width));
        }
    }

    private static byte[] EncodeGray(ReadOnlySpan<byte> gray, int height, int width)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        Marshal.Copy(gray.ToArray(), 0, bitmap.GetPixels(), gray.Length);
        return Encode(bitmap);
    }

    private static byte[] EncodeRgb(ReadOnlySpan<byte> gray, int height, int width)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[gray.Length * 4];
        for (int p = 0; p < gray.Length; p++)
        {
            rgba[(4 * p) + 0] = gray[p];
            rgba[(4 * p) + 1] = gray[p];
            rgba[(4 * p) + 2] = (byte)(255 - gray[p]);
            rgba[(4 * p) + 3] = 255;
        }

        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return Encode(bitmap);
    }

    private static byte[] Encode(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
