using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Plots;
using ElectrostaticPruning.Samples.Reporting;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Writes the figures and the report of a comparison into the output folder.</summary>
internal static class OutputFiles
{
    /// <summary>Figure 2's file name.</summary>
    public const string Figure2 = "figure2-accuracy-vs-pruning-ratio.png";

    /// <summary>Figure 3's file name.</summary>
    public const string Figure3 = "figure3-normalized-filter-norms.png";

    /// <summary>The markdown report's file name.</summary>
    public const string Report = "results.md";

    /// <summary>Writes Figure 2 and returns its path.</summary>
    public static string WriteFigure2(string folder, IReadOnlyList<MethodSweep> sweeps, string subtitle, int classCount)
    {
        var path = Path.Combine(folder, Figure2);
        PngWriter.Write(AccuracyFigure.Create(sweeps, subtitle, 1.0 / classCount), path);
        return path;
    }

    /// <summary>Writes Figure 3 (one panel per pruned layer) and returns its path.</summary>
    public static string WriteFigure3(string folder, IReadOnlyList<LayerFilterNorms> norms, string title, string fileName = Figure3)
    {
        var path = Path.Combine(folder, fileName);
        var panels = FilterNormFigure.CreatePanels(norms);
        var columns = FilterNormFigure.ColumnsFor(panels.Count);
        var rows = (panels.Count + columns - 1) / columns;
        PngWriter.WriteGrid(panels, columns, title, path, Math.Max(PlotStyle.Width, columns * 520), 60 + (rows * 420));
        return path;
    }

    /// <summary>Writes the markdown report and returns its path.</summary>
    public static string WriteReport(string folder, ComparisonReport report)
    {
        var path = Path.Combine(folder, Report);
        AtomicFile.WriteText(path, report.ToMarkdown());
        return path;
    }
}
