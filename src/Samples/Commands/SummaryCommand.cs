using System.Globalization;
using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>summary</c>: architecture, conv layers, params, FLOPs and, with a plan, the kept filters and speedup.</summary>
internal sealed class SummaryCommand(IAnsiConsole console) : Command<SummaryCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, SummaryCommandSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Model is not null)
        {
            using var loaded = ModelFiles.Load(new MLContext(seed: settings.Seed), settings.Model);
            using var repruned = settings.Plan is null ? null : loaded.Prune(OptionParsing.ParsePlan(settings.Plan));
            var summary = (repruned ?? loaded).Summary;
            console.Write(LayerTable(summary));
            console.Write(NetworkSummaryView.Complexity(summary.Dense, summary.Pruned));
            console.MarkupLine(Markup.Escape(
                $"Classes: {string.Join(", ", summary.ClassNames)}. Trained {summary.Training.Count} epochs" +
                (summary.FineTuning.Count > 0 ? $", fine-tuned {summary.FineTuning.Count}" : string.Empty) + $"; {summary.TrainingOptions}."));
            console.MarkupLine(Markup.Escape($"Machine: {RunEnvironment.Describe()}"));
            return 0;
        }

        var description = Describe(settings);
        console.Write(NetworkSummaryView.Layers(description));
        console.Write(NetworkSummaryView.Complexity(description.Dense, description.Pruned));
        console.MarkupLine(Markup.Escape($"Machine: {RunEnvironment.Describe()}"));
        return 0;
    }

    /// <summary>The prunable layers of a trained model: filters, kept filters and ratio.</summary>
    public static Table LayerTable(ElectrostaticCnnModelSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var table = new Table().RoundedBorder().Title(Markup.Escape(
            $"{summary.Architecture} (input {summary.InputShape}, {summary.ClassCount} classes) pruned by {summary.PruningPlan}"));
        table.AddColumn(new TableColumn("Layer").RightAligned());
        table.AddColumn("Name");
        table.AddColumn(new TableColumn("Filters").RightAligned());
        table.AddColumn(new TableColumn("Kept").RightAligned());
        table.AddColumn(new TableColumn("Ratio").RightAligned());
        foreach (var layer in summary.Layers)
        {
            table.AddRow(
                layer.LayerIndex.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(layer.Name),
                layer.Filters.ToString(CultureInfo.InvariantCulture),
                layer.KeptFilters < layer.Filters ? $"[bold]{layer.KeptFilters}[/]" : layer.KeptFilters.ToString(CultureInfo.InvariantCulture),
                layer.Ratio.ToString("0.###", CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static NetworkDescription Describe(SummaryCommandSettings settings)
    {
        var architecture = OptionParsing.ParseArchitecture(settings.Architecture!);
        var imageNet = architecture is CnnArchitecture.ResNet18 or CnnArchitecture.ResNet34 or CnnArchitecture.ResNet50;

        // The input and classes the paper uses: 28x28 gray for SmallCnn, 224x224 RGB and 1000 classes for ImageNet ResNets, else 32x32 RGB.
        var shape = settings.Input is not null ? OptionParsing.ParseShape(settings.Input)
            : architecture == CnnArchitecture.SmallCnn ? new ImageShape(1, 28, 28)
            : imageNet ? new ImageShape(3, 224, 224) : new ImageShape(3, 32, 32);
        var plan = settings.Plan is null ? null : OptionParsing.ParsePlan(settings.Plan);
        return NetworkDescription.Describe(architecture, shape, settings.Classes ?? (imageNet ? 1000 : 10), plan);
    }
}
