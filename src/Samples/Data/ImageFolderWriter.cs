using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning;
using SkiaSharp;

namespace ElectrostaticPruning.Samples.Data;

/// <summary>Writes images of an IDX data set as a folder-per-class tree of PNG files (the input of <c>example image-folder</c>).</summary>
internal static class ImageFolderWriter
{
    /// <summary>
    /// Writes the first <paramref name="perClass"/> test images of each class of the Fashion-MNIST IDX files in
    /// <paramref name="idxFolder"/> to <c>target/&lt;class&gt;/&lt;n&gt;.png</c> (28x28 gray), replacing the folder.
    /// </summary>
    /// <returns><paramref name="target"/>.</returns>
    public static string WriteFashionMnist(string idxFolder, string target, int perClass)
    {
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        var data = new MLContext().Data.LoadFromIdxFiles(
            Path.Combine(idxFolder, "t10k-images-idx3-ubyte.gz"), Path.Combine(idxFolder, "t10k-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
        var written = new int[KnownClassNames.FashionMnist.Count];
        using var cursor = data.GetRowCursor(data.Schema);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(data.Schema[ColumnNames.Features]);
        var getLabel = cursor.GetGetter<uint>(data.Schema[ColumnNames.Label]);
        VBuffer<float> features = default;
        uint label = 0;
        while (written.Any(n => n < perClass) && cursor.MoveNext())
        {
            getLabel(ref label);
            int index = (int)label - 1;
            if (written[index] >= perClass)
            {
                continue;
            }

            getFeatures(ref features);
            var folder = Path.Combine(target, KnownClassNames.FashionMnist[index].Replace('/', '-'));
            Directory.CreateDirectory(folder);
            using var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque);
            var pixels = features.DenseValues().Select(v => (byte)Math.Round(v * 255)).ToArray();
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, $"{written[index]++}.png"), png.ToArray());
        }

        return target;
    }
}
