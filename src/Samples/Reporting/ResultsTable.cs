using System.Globalization;
using System.Text;
using Spectre.Console;

namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>
/// The comparison table of the paper's Figure 2 data: one row per pruning ratio with params, FLOPs, speedup and the
/// top-1 accuracy of each method. Rendered for the terminal (Spectre.Console) and as GitHub markdown.
/// </summary>
internal sealed class ResultsTable
{
    private ResultsTable(IReadOnlyList<string> methods, IReadOnlyList<ResultRow> rows)
    {
        Methods = methods;
        Rows = rows;
    }

    /// <summary>Method names, one accuracy column each.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>Rows in ascending ratio order.</summary>
    public IReadOnlyList<ResultRow> Rows { get; }

    /// <summary>
    /// Joins the sweeps of several methods on their ratios. Every sweep must cover the same ratios, and a ratio must
    /// cost the same for every method (same architecture and plan), which is checked because a mismatch means the
    /// models are not comparable.
    /// </summary>
    public static ResultsTable Create(IReadOnlyList<MethodSweep> sweeps)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        if (sweeps.Count == 0)
        {
            throw new ArgumentException("At least one method sweep is required.", nameof(sweeps));
        }

        var first = sweeps[0];
        var rows = new List<ResultRow>(first.Points.Count);
        for (var i = 0; i < first.Points.Count; i++)
        {
            var point = first.Points[i];
            var accuracies = new double[sweeps.Count];
            for (var m = 0; m < sweeps.Count; m++)
            {
                var sweep = sweeps[m];
                if (sweep.Points.Count != first.Points.Count)
                {
                    throw new ArgumentException(
                        $"Sweep '{sweep.Method}' has {sweep.Points.Count} ratios but '{first.Method}' has {first.Points.Count}.", nameof(sweeps));
                }

                var other = sweep.Points[i];
                if (Math.Abs(other.Ratio - point.Ratio) > 1e-9 || other.Parameters != point.Parameters || other.Flops != point.Flops)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture,
                            $"Sweep '{sweep.Method}' at ratio {other.Ratio} ({other.Parameters} params, {other.Flops} FLOPs) does not match '{first.Method}' at ratio {point.Ratio} ({point.Parameters} params, {point.Flops} FLOPs)."),
                        nameof(sweeps));
                }

                accuracies[m] = other.Accuracy;
            }

            rows.Add(new ResultRow(point.Ratio, point.Parameters, point.Flops, point.Speedup, accuracies));
        }

        return new ResultsTable(sweeps.Select(s => s.Method).ToList(), rows);
    }

    /// <summary>A Spectre.Console table; the best accuracy of each row is highlighted.</summary>
    public Table ToSpectreTable(string? title = null)
    {
        var table = new Table().RoundedBorder();
        if (title is not null)
        {
            table.Title = new TableTitle(Markup.Escape(title));
        }

        table.AddColumn(new TableColumn("Ratio").RightAligned());
        table.AddColumn(new TableColumn("Params").RightAligned());
        table.AddColumn(new TableColumn("FLOPs (2xMAC)").RightAligned());
        table.AddColumn(new TableColumn("Speedup").RightAligned());
        foreach (var method in Methods)
        {
            table.AddColumn(new TableColumn(Markup.Escape($"{method} top-1")).RightAligned());
        }

        foreach (var row in Rows)
        {
            var best = row.Accuracies.Max();
            var cells = new List<string>
            {
                Units.Percent(row.Ratio).Replace(".00%", "%", StringComparison.Ordinal),
                Units.Parameters(row.Parameters),
                Units.Flops(row.Flops),
                Units.Speedup(row.Speedup),
            };
            cells.AddRange(row.Accuracies.Select(a =>
                Methods.Count > 1 && a == best ? $"[bold green]{Units.Percent(a)}[/]" : Units.Percent(a)));
            table.AddRow(cells.ToArray());
        }

        return table;
    }

    /// <summary>GitHub-flavoured markdown, ready to paste into the README.</summary>
    public string ToMarkdown()
    {
        var builder = new StringBuilder();
        builder.Append("| Pruning ratio | Params | FLOPs (2xMAC) | Speedup |");
        foreach (var method in Methods)
        {
            builder.Append(CultureInfo.InvariantCulture, $" {method} top-1 |");
        }

        builder.AppendLine();
        builder.Append("|---:|---:|---:|---:|");
        builder.AppendLine(string.Concat(Enumerable.Repeat("---:|", Methods.Count)));
        foreach (var row in Rows)
        {
            var best = row.Accuracies.Max();
            builder.Append(CultureInfo.InvariantCulture,
                $"| {row.Ratio:0.00} | {Units.Parameters(row.Parameters)} | {Units.Flops(row.Flops)} | {Units.Speedup(row.Speedup)} |");
            foreach (var accuracy in row.Accuracies)
            {
                var text = Units.Percent(accuracy);
                builder.Append(Methods.Count > 1 && accuracy == best ? $" **{text}** |" : $" {text} |");
            }

            builder.AppendLine();
        }

        return builder.ToString();
    }
}
