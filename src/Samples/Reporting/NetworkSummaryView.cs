using System.Globalization;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;

namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>Tables that describe a network: its conv layers (with kept filters when pruned) and its cost.</summary>
internal static class NetworkSummaryView
{
    /// <summary>One row per conv layer: GReg index, name, stage.block, role, filters, and kept filters / ratio when a plan is given.</summary>
    public static Table Layers(NetworkDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        bool planned = description.Plan is not null;
        var table = new Table().RoundedBorder()
            .Title(Markup.Escape($"{description.Architecture}: conv layers (input {description.InputShape}, {description.ClassCount} classes)"));
        table.AddColumn(new TableColumn("Layer").RightAligned());
        table.AddColumn("Name");
        table.AddColumn("Stage.block");
        table.AddColumn("Role");
        table.AddColumn(new TableColumn("Filters").RightAligned());
        if (planned)
        {
            table.AddColumn(new TableColumn("Kept").RightAligned());
            table.AddColumn(new TableColumn("Ratio").RightAligned());
        }

        foreach (var layer in description.Layers)
        {
            var role = layer.IsShortcut ? "shortcut" : layer.IsPrunable ? layer.IsSkipped ? "prunable (skipped)" : "prunable" : "block output (kept)";
            var cells = new List<string>
            {
                layer.IsShortcut ? "-" : layer.LayerIndex.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(layer.Name),
                $"{layer.Stage}.{layer.Block}",
                role,
                layer.Filters.ToString(CultureInfo.InvariantCulture),
            };
            if (planned)
            {
                cells.Add(layer.IsPruned ? $"[bold]{layer.KeptFilters}[/]" : layer.KeptFilters.ToString(CultureInfo.InvariantCulture));
                cells.Add(layer.IsPruned ? layer.Ratio.ToString("0.###", CultureInfo.InvariantCulture) : "0");
            }

            table.AddRow(cells.ToArray());
        }

        return table;
    }

    /// <summary>Params, FLOPs, MACs of the dense network and, when given, of the pruned one with the speedup.</summary>
    public static Table Complexity(ModelComplexity dense, ModelComplexity? pruned)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var table = new Table().RoundedBorder().Title("Complexity (FLOPs = 2 x MACs, GReg's convention)");
        table.AddColumn(string.Empty);
        table.AddColumn(new TableColumn("Params").RightAligned());
        table.AddColumn(new TableColumn("FLOPs").RightAligned());
        table.AddColumn(new TableColumn("MACs").RightAligned());
        table.AddColumn(new TableColumn("Speedup").RightAligned());
        table.AddRow("dense", Units.Parameters(dense.Parameters), Units.Flops(dense.Flops), Units.WithPrefix(dense.MultiplyAccumulates, "MACs"), Units.Speedup(1));
        if (pruned is not null)
        {
            table.AddRow(
                "pruned",
                Units.Parameters(pruned.Parameters),
                Units.Flops(pruned.Flops),
                Units.WithPrefix(pruned.MultiplyAccumulates, "MACs"),
                Units.Speedup((double)dense.Flops / pruned.Flops));
        }

        return table;
    }
}
