using System.Buffers.Binary;
using ElectrostaticPruning.Samples.Plots;
using ElectrostaticPruning.Samples.Reporting;
using OxyPlot.Axes;
using OxyPlot.Series;
using SkiaSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class PlotTests
{
    private static readonly IReadOnlyList<MethodSweep> Sweeps =
    [
        Sweep("plain", r => 0.9 - (0.8 * r)),
        Sweep("L1-norm", r => 0.9 - (0.6 * r)),
        Sweep("electrostatic force", r => 0.9 - (0.2 * r)),
    ];

    [Fact]
    public void FigureTwoHasOneLinePerMethodInPercentAndSpeedupsOnTheTopAxis()
    {
        var model = AccuracyFigure.Create(Sweeps, "SmallCnn on Fashion-MNIST", chanceAccuracy: 0.1);

        var lines = model.Series.Cast<LineSeries>().ToList();
        Assert.Equal(["plain", "L1-norm", "electrostatic force"], lines.Select(l => l.Title));
        Assert.Equal(80, lines[2].Points[^1].Y, 9);
        Assert.Equal(0.9, lines[0].Points[0].Y / 100, 9);
        var top = model.Axes.Single(a => a.Position == AxisPosition.Top);
        Assert.Equal("4.00x", top.LabelFormatter(0.5));
        Assert.Equal("1.00x", top.LabelFormatter(0));
        Assert.Equal("1.78x", top.LabelFormatter(0.25));
        Assert.Equal(string.Empty, top.LabelFormatter(0.125));
    }

    [Fact]
    public void FigureTwoIsWrittenAsAValidPngOfTheRequestedSizeWithTheElectrostaticLineInRed()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "plots", "figure2.png");

        PngWriter.Write(AccuracyFigure.Create(Sweeps, null, null), path, 1000, 600);

        Assert.Equal((1000, 600), PngSize(path));
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.True(CountPixels(bitmap, PlotStyle.ColorFor(2)) > 500, "the electrostatic line should be drawn in its colour");
        Assert.True(CountPixels(bitmap, PlotStyle.ColorFor(1)) > 500, "the L1 line should be drawn in its colour");
        Assert.Equal(["figure2.png"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void FigureThreeHasAPanelPerLayerWithNormsSortedFromLargestToSmallest()
    {
        LayerFilterNorms[] norms =
        [
            new("plain", "conv1", [0.5, 1, 0.75]),
            new("electrostatic force", "conv1", [0, 1, 0.25]),
            new("plain", "conv2", [1, 0.5]),
        ];

        var panels = FilterNormFigure.CreatePanels(norms);

        Assert.Equal(["conv1 (3 filters)", "conv2 (2 filters)"], panels.Select(p => p.Title));
        var electrostatic = panels[0].Series.Cast<LineSeries>().Single(s => s.Title == "electrostatic force");
        Assert.Equal([1, 0.25, 0], electrostatic.Points.Select(p => p.Y));
        Assert.Equal([0.0, 1, 2], electrostatic.Points.Select(p => p.X));
        Assert.Equal(PlotStyle.ColorFor(1), electrostatic.Color);
    }

    [Fact]
    public void FigureThreeIsWrittenAsOneGridPngOfTheRequestedSize()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "figure3.png");
        var panels = FilterNormFigure.CreatePanels(
        [
            new LayerFilterNorms("plain", "conv1", Enumerable.Range(0, 16).Select(i => 1 - (i / 32.0)).ToList()),
            new LayerFilterNorms("L1-norm", "conv1", Enumerable.Range(0, 16).Select(i => 1 - (i / 16.0)).ToList()),
            new LayerFilterNorms("electrostatic force", "conv2", Enumerable.Range(0, 32).Select(i => Math.Exp(-i / 4.0)).ToList()),
        ]);

        PngWriter.WriteGrid(panels, FilterNormFigure.ColumnsFor(panels.Count), "Normalized filter L1 norms", path, 1200, 500);

        Assert.Equal((1200, 500), PngSize(path));
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(CountPixels(bitmap, PlotStyle.ColorFor(2)) > 200, "the second panel's line should be drawn");
    }

    [Fact]
    public void EmptyInputsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => AccuracyFigure.Create([], null, null));
        Assert.Throws<ArgumentException>(() => FilterNormFigure.CreatePanels([]));
        Assert.Throws<ArgumentException>(() => PngWriter.WriteGrid([], 1, "t", "x.png", 500, 500));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 2)]
    [InlineData(7, 3)]
    public void PanelsAreLaidOutInAtMostThreeColumns(int panels, int columns) =>
        Assert.Equal(columns, FilterNormFigure.ColumnsFor(panels));

    private static MethodSweep Sweep(string method, Func<double, double> accuracy) => new(method,
        [.. new[] { 0, 0.25, 0.5 }.Select(r => new SweepPoint(r, (long)(1000 * (1 - r)), (long)(8000 * (1 - r) * (1 - r)), 1 / ((1 - r) * (1 - r)), accuracy(r)))]);

    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 24);
        Assert.True(header[..8].SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
        Assert.True(header[12..16].SequenceEqual("IHDR"u8), "IHDR chunk first");
        return (BinaryPrimitives.ReadInt32BigEndian(header[16..20]), BinaryPrimitives.ReadInt32BigEndian(header[20..24]));
    }

    private static int CountPixels(SKBitmap bitmap, OxyPlot.OxyColor color)
    {
        var count = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var pixel = bitmap.GetPixel(x, y);
                if (Math.Abs(pixel.Red - color.R) < 12 && Math.Abs(pixel.Green - color.G) < 12 && Math.Abs(pixel.Blue - color.B) < 12)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
