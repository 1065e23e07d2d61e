using ElectrostaticPruning.Samples.Infrastructure;
using Microsoft.ML.ElectrostaticPruning;
using OxyPlot;
using OxyPlot.SkiaSharp;
using SkiaSharp;

namespace ElectrostaticPruning.Samples.Plots;

/// <summary>Renders OxyPlot models to PNG files through SkiaSharp 2.88, atomically.</summary>
internal static class PngWriter
{
    private const float TitleBand = 44;

    /// <summary>Writes one figure of <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    public static void Write(PlotModel model, string path, int width = PlotStyle.Width, int height = PlotStyle.Height)
    {
        ArgumentNullException.ThrowIfNull(model);
        ValidateSize(width, height);

        // Text shaping needs libHarfBuzzSharp, whose native library is not shipped with SkiaSharp's Linux assets.
        var exporter = new PngExporter { Width = width, Height = height, UseTextShaping = false };
        AtomicFile.Write(path, stream => exporter.Export(model, stream));
    }

    /// <summary>
    /// Writes several panels as one image: a bold <paramref name="title"/> on top, then a grid of
    /// <paramref name="columns"/> columns, every panel the same size.
    /// </summary>
    public static void WriteGrid(IReadOnlyList<PlotModel> panels, int columns, string title, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentNullException.ThrowIfNull(title);
        ValidateSize(width, height);
        if (panels.Count == 0)
        {
            throw new ArgumentException("At least one panel is required.", nameof(panels));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var rows = (panels.Count + columns - 1) / columns;
        var cellWidth = (float)width / columns;
        var cellHeight = (height - TitleBand) / rows;

        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using (var typeface = SKTypeface.FromFamilyName(PlotStyle.Font, SKFontStyle.Bold))
            using (var paint = new SKPaint { Typeface = typeface, TextSize = 20, IsAntialias = true, Color = SKColors.Black, TextAlign = SKTextAlign.Center })
            {
                canvas.DrawText(title, width / 2f, TitleBand - 14, paint);
            }

            for (var i = 0; i < panels.Count; i++)
            {
                var x = i % columns * cellWidth;
                var y = TitleBand + (i / columns * cellHeight);
                canvas.Save();
                canvas.Translate(x, y);
                canvas.ClipRect(new SKRect(0, 0, cellWidth, cellHeight));
                using (var context = new SkiaRenderContext { RenderTarget = RenderTarget.PixelGraphic, SkCanvas = canvas, UseTextShaping = false })
                {
                    IPlotModel model = panels[i];
                    model.Update(true);
                    model.Render(context, new OxyRect(0, 0, cellWidth, cellHeight));
                }

                canvas.Restore();
            }
        }

        AtomicFile.Write(path, stream =>
        {
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            data.SaveTo(stream);
        });
    }

    private static void ValidateSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
    }
}
