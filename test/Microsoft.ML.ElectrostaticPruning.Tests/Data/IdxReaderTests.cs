using System.IO.Compression;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Data;

public sealed class IdxReaderTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void TheEmbeddedFashionMnistTestSplitReadsAs2000KeyedImagesOf1x28x28()
    {
        var view = _ml.Data.LoadFromIdxFiles(RepositoryData.TestImages, RepositoryData.TestLabels, KnownClassNames.FashionMnist);

        Assert.Equal(2000, view.GetRowCount());
        var label = view.Schema["Label"];
        var labelType = Assert.IsType<KeyDataViewType>(label.Type);
        Assert.Equal(10UL, labelType.Count);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        label.GetKeyValues(ref keyValues);
        Assert.Equal(KnownClassNames.FashionMnist, keyValues.DenseValues().Select(v => v.ToString()));

        var features = Assert.IsType<VectorDataViewType>(view.Schema["Features"].Type);
        Assert.Equal(new[] { 1, 28, 28 }, features.Dimensions.ToArray());

        // First rows of the official t10k split (the subset keeps its order): labels 9, 2, 1, 1, 6.
        var labels = view.GetColumn<uint>("Label").Take(5).ToArray();
        Assert.Equal(new uint[] { 10, 3, 2, 2, 7 }, labels);

        // Class balance: 200 images per class.
        var counts = view.GetColumn<uint>("Label").GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(200, c));
    }

    [Fact]
    public void PixelsAreTheFileBytesScaledBy1Over255()
    {
        var view = _ml.Data.LoadFromIdxFiles(RepositoryData.TestImages, RepositoryData.TestLabels);
        float[] first = view.GetColumn<float[]>("Features").First();

        // Hand-checked with an independent decoder: the first image sums to 33456, its maximum 255 is at 577,
        // and pixel (14, 14) is 110.
        Assert.Equal(784, first.Length);
        Assert.Equal(33456f / 255f, first.Sum(), 3);
        Assert.Equal(1f, first[577]);
        Assert.Equal(110 * (1f / 255), first[(14 * 28) + 14]); // multiplied by the scale, as ExtractPixels does
    }

    [Fact]
    public void UncompressedFilesReadTheSameAsGzipOnes()
    {
        using var temp = new TempFolder();
        string images = temp.File("images.idx3");
        string labels = temp.File("labels.idx1");
        Decompress(RepositoryData.TestImages, images);
        Decompress(RepositoryData.TestLabels, labels);

        var raw = _ml.Data.LoadFromIdxFiles(images, labels);
        var gz = _ml.Data.LoadFromIdxFiles(RepositoryData.TestImages, RepositoryData.TestLabels);

        Assert.Equal(gz.GetColumn<uint>("Label"), raw.GetColumn<uint>("Label"));
        Assert.Equal(gz.GetColumn<float[]>("Features").Skip(1999).Single(), raw.GetColumn<float[]>("Features").Skip(1999).Single());
    }

    [Fact]
    public void WithoutClassNamesTheKeyValuesAreTheDigits()
    {
        var view = _ml.Data.LoadFromIdxFiles(RepositoryData.TestImages, RepositoryData.TestLabels);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        view.Schema["Label"].GetKeyValues(ref keyValues);
        Assert.Equal(new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }, keyValues.DenseValues().Select(v => v.ToString()));
    }

    [Fact]
    public void ATruncatedImageFileIsRejectedWithItsSizes()
    {
        using var temp = new TempFolder();
        string images = temp.File("images.idx3");
        Decompress(RepositoryData.TestImages, images);
        using (var stream = File.OpenWrite(images))
        {
            stream.SetLength(16 + 1000);
        }

        var ex = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromIdxFiles(images, RepositoryData.TestLabels));
        Assert.Contains("is truncated", ex.Message);
        Assert.Contains("2000 images of 28x28", ex.Message);
        Assert.Contains(images, ex.Message);
    }

    [Fact]
    public void SwappedImageAndLabelFilesAreRejectedByTheirMagicNumber()
    {
        var ex = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromIdxFiles(RepositoryData.TestLabels, RepositoryData.TestImages));
        Assert.Contains("is not an IDX image file", ex.Message);
        Assert.Contains("0x00000801", ex.Message);
    }

    [Fact]
    public void ImageAndLabelCountsMustMatch()
    {
        var ex = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromIdxFiles(RepositoryData.TrainImages, RepositoryData.TestLabels));
        Assert.Contains("has 6000 images but", ex.Message);
        Assert.Contains("has 2000 labels", ex.Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadFromIdxFiles("/nonexistent/images.gz", RepositoryData.TestLabels));
        Assert.Contains("/nonexistent/images.gz", ex.Message);
    }

    [Fact]
    public void ShuffledCursorsVisitEveryRowOnce()
    {
        var view = _ml.Data.LoadFromIdxFiles(RepositoryData.TestImages, RepositoryData.TestLabels);
        var shuffled = _ml.Data.ShuffleRows(view, seed: 3);
        var ids = new List<ulong>();
        using var cursor = shuffled.GetRowCursor(shuffled.Schema);
        var id = cursor.GetIdGetter();
        DataViewRowId value = default;
        while (cursor.MoveNext())
        {
            id(ref value);
            ids.Add(value.Low);
        }

        Assert.Equal(2000, ids.Count);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (ulong)i), ids.Order());
        Assert.NotEqual(Enumerable.Range(0, 2000).Select(i => (ulong)i), ids);
    }

    private static void Decompress(string gz, string output)
    {
        using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        using var file = File.Create(output);
        input.CopyTo(file);
    }
}
