using Microsoft.ML.Data;
using SkiaSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Data;

public sealed class ImageFolderTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void EachClassFolderBecomesALabelAndImagePathsAreRelativeToTheRoot()
    {
        using var temp = new TempFolder();
        WritePng(temp.File("dog/b.png"));
        WritePng(temp.File("dog/a.jpg"));
        WritePng(temp.File("cat/nested/z.png"));
        Directory.CreateDirectory(temp.File("empty"));
        File.WriteAllText(temp.File("cat/readme.txt"), "not an image");

        var view = _ml.Data.LoadFromImageFolder(temp.Path);

        Assert.Equal(
            new[] { "cat/nested/z.png", "dog/a.jpg", "dog/b.png" }.Select(p => Path.Combine(Path.GetFullPath(temp.Path), p)),
            view.GetColumn<string>("ImagePath").ToArray());
        Assert.Equal(new[] { "cat", "dog", "dog" }, view.GetColumn<string>("Label").ToArray());
    }

    [Fact]
    public void TheRowsFeedLoadImagesWithoutAnImageFolder()
    {
        using var temp = new TempFolder();
        WritePng(temp.File("a/x.png"));
        WritePng(temp.File("b/y.png"));

        var view = _ml.Data.LoadFromImageFolder(temp.Path);
        var pixels = _ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
            .Append(_ml.Transforms.ResizeImages("Image", 4, 4))
            .Append(_ml.Transforms.ExtractPixels("Features", "Image", Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Red))
            .Fit(view).Transform(view);

        var first = pixels.GetColumn<float[]>("Features").First();
        Assert.Equal(16, first.Length);
        Assert.All(first, v => Assert.Equal(200f, v));
    }

    [Fact]
    public void AFolderWithoutClassImagesIsRejected()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("cat"));
        var ex = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImageFolder(temp.Path));
        Assert.Contains("has no images in class sub-folders", ex.Message);
    }

    [Fact]
    public void AMissingRootIsNamed()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => _ml.Data.LoadFromImageFolder("/nonexistent/images"));
        Assert.Contains("/nonexistent/images", ex.Message);
    }

    private static void WritePng(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(8, 8, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(200, 10, 10));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
