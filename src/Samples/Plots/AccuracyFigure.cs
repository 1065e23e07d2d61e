using System.Globalization;
using ElectrostaticPruning.Samples.Reporting;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace ElectrostaticPruning.Samples.Plots;

/// <summary>
/// The paper's Figure 2: top-1 accuracy after pruning (no fine-tuning) versus pruning ratio, one line per training
/// method, with the FLOPs speedup of each ratio on a second axis along the top.
/// </summary>
internal static class AccuracyFigure
{
    /// <summary>Builds the figure.</summary>
    /// <param name="sweeps">One sweep per method; all share the same ratios (speedups are read from the first).</param>
    /// <param name="subtitle">Model and data set, e.g. "SmallCnn on Fashion-MNIST (2,000 test images)".</param>
    /// <param name="chanceAccuracy">1 / classes, drawn as a dashed reference line; <see langword="null"/> for none.</param>
    public static PlotModel Create(IReadOnlyList<MethodSweep> sweeps, string? subtitle, double? chanceAccuracy)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        if (sweeps.Count == 0 || sweeps.Any(s => s.Points.Count == 0))
        {
            throw new ArgumentException("Every method needs at least one sweep point to plot.", nameof(sweeps));
        }

        var model = PlotStyle.NewModel("Top-1 accuracy after pruning, without fine-tuning", subtitle);
        var ratios = sweeps.SelectMany(s => s.Points).Select(p => p.Ratio).ToList();
        var min = Math.Min(0, ratios.Min());
        var max = Math.Max(ratios.Max(), min + 0.1);
        var pad = (max - min) * 0.03;
        var step = MajorStep(sweeps[0].Points);

        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = "Pruning ratio (fraction of filters removed in each pruned layer)",
            Minimum = min - pad,
            Maximum = max + pad,
            MajorStep = step,
            MinorStep = step / 2,
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = OxyColor.FromRgb(0xe5, 0xe5, 0xe5),
            LabelFormatter = r => r.ToString("0%", CultureInfo.InvariantCulture),
            IsZoomEnabled = false,
        });

        // Speedups depend only on the architecture and the ratio, not on the training method.
        var speedups = sweeps[0].Points;
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Top,
            Key = "speedup",
            Title = "FLOPs speedup",
            Minimum = min - pad,
            Maximum = max + pad,
            MajorStep = step,
            MinorTickSize = 0,
            LabelFormatter = r => SpeedupLabel(speedups, r, step),
            IsZoomEnabled = false,
        });

        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left,
            Title = "Top-1 accuracy (%)",
            Minimum = 0,
            Maximum = 100,
            MajorStep = 10,
            MinorStep = 5,
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = OxyColor.FromRgb(0xe5, 0xe5, 0xe5),
            IsZoomEnabled = false,
        });

        if (chanceAccuracy is { } chance)
        {
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Horizontal,
                Y = chance * 100,
                Color = OxyColor.FromRgb(0x88, 0x88, 0x88),
                LineStyle = LineStyle.Dash,
                Text = string.Create(CultureInfo.InvariantCulture, $"chance ({chance * 100:0.#}%)"),
                TextColor = OxyColor.FromRgb(0x66, 0x66, 0x66),
                TextHorizontalAlignment = HorizontalAlignment.Left,
                TextPosition = new DataPoint(min, chance * 100),
            });
        }

        for (var i = 0; i < sweeps.Count; i++)
        {
            var series = new LineSeries
            {
                Title = sweeps[i].Method,
                Color = PlotStyle.ColorFor(i),
                StrokeThickness = 2.5,
                MarkerType = PlotStyle.MarkerFor(i),
                MarkerSize = 5,
                MarkerFill = PlotStyle.ColorFor(i),
            };
            series.Points.AddRange(sweeps[i].Points.Select(p => new DataPoint(p.Ratio, p.Accuracy * 100)));
            model.Series.Add(series);
        }

        model.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.BottomCenter,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendBorderThickness = 0,
            LegendFontSize = 14,
            LegendSymbolLength = 32,
        });

        return model;
    }

    /// <summary>The tick spacing: the spacing of the sweep (or a multiple) when it is regular, else a tenth.</summary>
    private static double MajorStep(IReadOnlyList<SweepPoint> points)
    {
        if (points.Count < 2)
        {
            return 0.1;
        }

        var step = points[1].Ratio - points[0].Ratio;
        var regular = step > 1e-6 && points.Zip(points.Skip(1)).All(pair => Math.Abs(pair.Second.Ratio - pair.First.Ratio - step) < 1e-6);

        // At most about ten labelled ticks, so that speedup labels such as "100.00x" never collide.
        return regular ? step * Math.Ceiling(points.Count / 10.5) : 0.1;
    }

    /// <summary>The speedup measured at the sweep ratio under a tick, or nothing where no ratio was measured.</summary>
    private static string SpeedupLabel(IReadOnlyList<SweepPoint> points, double ratio, double step)
    {
        var nearest = points.MinBy(p => Math.Abs(p.Ratio - ratio))!;
        return Math.Abs(nearest.Ratio - ratio) < step * 1e-3 ? Units.Speedup(nearest.Speedup) : string.Empty;
    }
}
