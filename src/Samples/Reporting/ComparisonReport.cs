using System.Globalization;
using System.Text;

namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>The markdown report of a comparison run (results.md): what ran, on what, how long, and the tables.</summary>
/// <param name="Title">Heading.</param>
/// <param name="Command">The command line that produced it.</param>
/// <param name="Data">Data description.</param>
/// <param name="Machine">Machine description.</param>
/// <param name="Trainings">One line per trained model: method, settings, training time, dense accuracy.</param>
/// <param name="Sweep">The Figure 2 table.</param>
/// <param name="FineTuned">Fine-tuning results, possibly empty.</param>
/// <param name="WallClock">Total wall-clock time.</param>
/// <param name="Figures">Figure file names (relative to the report) with captions.</param>
internal sealed record ComparisonReport(
    string Title,
    string Command,
    string Data,
    string Machine,
    IReadOnlyList<string> Trainings,
    ResultsTable Sweep,
    IReadOnlyList<FineTuneRow> FineTuned,
    TimeSpan WallClock,
    IReadOnlyList<(string File, string Caption)> Figures)
{
    /// <summary>The fine-tuning table in markdown.</summary>
    public static string FineTuneMarkdown(IReadOnlyList<FineTuneRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var builder = new StringBuilder();
        builder.AppendLine("| Method | Pruning ratio | Speedup | Fine-tuning epochs | Top-1 pruned | Top-1 fine-tuned | Fine-tuning time |");
        builder.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            builder.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Method} | {row.Ratio:0.00} | {Units.Speedup(row.Speedup)} | {row.Epochs} | {Units.Percent(row.Before)} | {Units.Percent(row.After)} | {Units.Duration(TimeSpan.FromSeconds(row.Seconds))} |");
        }

        return builder.ToString();
    }

    /// <summary>The whole report.</summary>
    public string ToMarkdown()
    {
        var builder = new StringBuilder();
        builder.AppendLine(CultureInfo.InvariantCulture, $"# {Title}");
        builder.AppendLine();
        builder.AppendLine("```");
        builder.AppendLine(Command);
        builder.AppendLine("```");
        builder.AppendLine();
        builder.AppendLine(CultureInfo.InvariantCulture, $"- Data: {Data}");
        builder.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Machine}");
        builder.AppendLine(CultureInfo.InvariantCulture, $"- Wall-clock time: {Units.Duration(WallClock)}");
        foreach (var training in Trainings)
        {
            builder.AppendLine(CultureInfo.InvariantCulture, $"- {training}");
        }

        builder.AppendLine();
        builder.AppendLine("## Top-1 accuracy pruned without fine-tuning (the paper's Figure 2)");
        builder.AppendLine();
        builder.Append(Sweep.ToMarkdown());
        if (FineTuned.Count > 0)
        {
            builder.AppendLine();
            builder.AppendLine("## Pruned and fine-tuned");
            builder.AppendLine();
            builder.Append(FineTuneMarkdown(FineTuned));
        }

        foreach (var (file, caption) in Figures)
        {
            builder.AppendLine();
            builder.AppendLine(CultureInfo.InvariantCulture, $"![{caption}]({file})");
        }

        return builder.ToString();
    }
}
