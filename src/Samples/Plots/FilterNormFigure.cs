using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace ElectrostaticPruning.Samples.Plots;

/// <summary>
/// The paper's Figure 3 as small multiples: one panel per pruned layer, one line per training method, each showing the
/// layer's normalized filter L1 norms sorted from largest to smallest. Regularization that prepares a model for pruning
/// shows as a curve that drops to zero: the filters at the right end can be removed without losing information.
/// </summary>
internal static class FilterNormFigure
{
    /// <summary>At most this many layers are drawn (the first ones); deep networks would otherwise give unreadable panels.</summary>
    public const int MaxPanels = 12;

    /// <summary>Builds one panel per layer, in the order layers first appear in <paramref name="norms"/>.</summary>
    public static IReadOnlyList<PlotModel> CreatePanels(IReadOnlyList<LayerFilterNorms> norms)
    {
        ArgumentNullException.ThrowIfNull(norms);
        if (norms.Count == 0)
        {
            throw new ArgumentException("No filter norms to plot.", nameof(norms));
        }

        var methods = norms.Select(n => n.Method).Distinct(StringComparer.Ordinal).ToList();
        var layers = norms.Select(n => n.Layer).Distinct(StringComparer.Ordinal).Take(MaxPanels).ToList();
        var panels = new List<PlotModel>(layers.Count);
        foreach (var layer in layers)
        {
            var inLayer = norms.Where(n => n.Layer == layer).ToList();
            var filters = inLayer.Max(n => n.NormalizedNorms.Count);
            var panel = PlotStyle.NewModel(
                string.Create(CultureInfo.InvariantCulture, $"{layer} ({filters} filters)"));
            panel.TitleFontSize = 15;
            panel.DefaultFontSize = 12;
            panel.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Bottom,
                Title = "Filter rank (sorted by L1 norm)",
                Minimum = 0,
                Maximum = Math.Max(1, filters - 1),
                MajorGridlineStyle = LineStyle.Solid,
                MajorGridlineColor = OxyColor.FromRgb(0xee, 0xee, 0xee),
                IsZoomEnabled = false,
            });
            panel.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Left,
                Title = "Normalized L1 norm",
                Minimum = 0,
                Maximum = 1.05,
                MajorStep = 0.2,
                MajorGridlineStyle = LineStyle.Solid,
                MajorGridlineColor = OxyColor.FromRgb(0xee, 0xee, 0xee),
                IsZoomEnabled = false,
            });

            foreach (var entry in inLayer)
            {
                var index = methods.IndexOf(entry.Method);
                var series = new LineSeries
                {
                    Title = entry.Method,
                    Color = PlotStyle.ColorFor(index),
                    StrokeThickness = 2,
                };
                var sorted = entry.NormalizedNorms.OrderByDescending(v => v).ToList();
                series.Points.AddRange(sorted.Select((v, rank) => new DataPoint(rank, v)));
                panel.Series.Add(series);
            }

            panel.Legends.Add(new Legend
            {
                LegendPlacement = LegendPlacement.Inside,
                LegendPosition = LegendPosition.RightTop,
                LegendBackground = OxyColor.FromAColor(220, OxyColors.White),
                LegendBorder = OxyColor.FromRgb(0xcc, 0xcc, 0xcc),
                LegendFontSize = 12,
            });
            panels.Add(panel);
        }

        return panels;
    }

    /// <summary>Columns of the panel grid: up to three side by side.</summary>
    public static int ColumnsFor(int panels) => panels switch
    {
        <= 1 => 1,
        2 or 4 => 2,
        _ => 3,
    };
}
