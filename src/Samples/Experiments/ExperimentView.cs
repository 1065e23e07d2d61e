using System.Globalization;
using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Reporting;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>Printable views of presets: the list, the resolved settings, and each plan's cost computed on the real network.</summary>
internal static class ExperimentView
{
    /// <summary>The presets, one row each.</summary>
    public static Table List()
    {
        var table = new Table().RoundedBorder().Title("Experiments of the paper (experiment <PRESET>)");
        table.AddColumn("Preset");
        table.AddColumn("Network / data");
        table.AddColumn("Methods");
        table.AddColumn("Plans (Table 2) or sweep");
        foreach (var preset in ExperimentPresets.All)
        {
            var methods = Regularizers.ParseMethods(preset.Methods).Select(Regularizers.LabelWithRate).ToList();
            table.AddRow(
                Markup.Escape(preset.Name),
                Markup.Escape(preset.Title),
                Markup.Escape(methods.Count > 3 ? $"{methods.Count} methods: plain, L1-norm, slimming, the forces" : string.Join(", ", methods)),
                Markup.Escape(preset.IsStudy
                    ? $"sweep 0 ... 0.9, {preset.SeedCount} seeds, pruned {preset.Variants.Replace(",", ", ", StringComparison.Ordinal)}"
                    : string.Join("  ", preset.Plans.Take(3).Select(p => p.Plan)) + (preset.Plans.Count > 3 ? "  ..." : string.Empty)));
        }

        return table;
    }

    /// <summary>The settings <c>experiment</c> will use, after overrides.</summary>
    public static Table Settings(ResolvedExperiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var preset = experiment.Preset;
        var table = new Table().RoundedBorder().HideHeaders().Title(Markup.Escape($"{preset.Name}: {preset.Title}"));
        table.AddColumn("Setting");
        table.AddColumn("Value");
        void Row(string name, string value) => table.AddRow($"[bold]{Markup.Escape(name)}[/]", Markup.Escape(value));
        Row("Network", $"{preset.Architecture}, input {preset.InputShape}, {preset.ClassCount} classes");
        Row("Data (--data)", preset.DataHint);
        if (experiment.PretrainEpochs > 0)
        {
            Row("Pretraining", $"plain, {experiment.Training with { Epochs = experiment.PretrainEpochs }}; every method continues from it");
        }

        Row("Training (pr)", $"{experiment.Training}, plan {experiment.TrainingPlan}{(experiment.AnyRatio is null ? string.Empty : $", {experiment.AnyRatio} for the folded-force methods")}");
        Row("Methods", string.Join("; ", experiment.Methods.Select(OptionsText.Regularizer)));
        Row("Fine-tuning (ft)", experiment.FineTuning?.ToString() ?? "none");
        Row("Seeds", string.Join(", ", experiment.Seeds));
        if (experiment.Ratios.Count > 0)
        {
            Row("Sweep", string.Create(CultureInfo.InvariantCulture, $"ratios {string.Join(", ", experiment.Ratios.Select(r => r.ToString(CultureInfo.InvariantCulture)))}, pruned {string.Join(", ", experiment.Variants.Select(v => v.Name))}, without fine-tuning"));
        }

        Row("Source", preset.Notes);
        if (experiment.Overridden.Count > 0)
        {
            Row("Overridden", string.Join(", ", experiment.Overridden));
        }

        return table;
    }

    /// <summary>
    /// Describes the preset's network under every plan (no training: kept filters do not depend on the weights):
    /// params, FLOPs and speedup of each plan next to the speedup Table 2 reports.
    /// </summary>
    public static Table Plans(ResolvedExperiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var preset = experiment.Preset;
        var dense = NetworkDescription.Describe(preset.Architecture, preset.InputShape, preset.ClassCount).Dense;
        var table = new Table().RoundedBorder().Title(Markup.Escape(
            $"Plans on {preset.Architecture} ({Units.Parameters(dense.Parameters)} params, {Units.Flops(dense.Flops)}, {Units.WithPrefix(dense.MultiplyAccumulates, "MACs")} dense)"));
        table.AddColumn("Plan");
        table.AddColumn(new TableColumn("Params").RightAligned());
        table.AddColumn(new TableColumn("FLOPs").RightAligned());
        table.AddColumn(new TableColumn("Speedup").RightAligned());
        table.AddColumn(new TableColumn("Paper (Table 2)").RightAligned());
        foreach (var plan in experiment.Plans)
        {
            var description = NetworkDescription.Describe(preset.Architecture, preset.InputShape, preset.ClassCount, OptionParsing.ParsePlan(plan.Plan));
            table.AddRow(
                Markup.Escape(plan.Plan),
                Units.Parameters(description.Pruned!.Parameters),
                Units.Flops(description.Pruned.Flops),
                $"[bold]{Units.Speedup(description.Speedup!.Value)}[/]",
                plan.PaperSpeedup is { } paper ? Units.Speedup(paper) : "-");
        }

        return table;
    }
}
