using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Examples;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>example</c>: runs one of the short example programs of <c>src/Samples/Examples</c> on the embedded data.</summary>
internal sealed class ExampleCommand(IAnsiConsole console) : Command<ExampleCommandSettings>
{
    /// <summary>The examples: name, what it shows, and how it runs on an IDX folder with its files under an output folder (returns its result line).</summary>
    public static readonly IReadOnlyList<(string Name, string Shows, Func<string, string, string> Run)> All =
    [
        ("image-folder", "LoadFromImageFolder + LoadImages/ResizeImages/ExtractPixels + ElectrostaticCnn in one ML.NET pipeline, Evaluate",
            (data, output) => $"top-1 {ImageFolderPipeline.Example(ImageFolderWriter.WriteFashionMnist(data, Path.Combine(output, "image-folder"), perClass: 100)):P2}"),
        ("re-pruning", "model.Prune(plan) after training, model.Sweep(test, ratios)",
            (data, _) => string.Join("; ", RePruningAndSweep.Example(data).Select(r => $"{r.Ratio:0.##}: {r.Top1Accuracy:P2} at {r.Speedup:F2}x"))),
        ("torchsharp-penalty", "ElectrostaticPenalty in a plain TorchSharp training loop",
            (data, _) =>
            {
                var (first, last, penalty) = PenaltyInTorchSharpLoop.Example(data);
                return $"loss {first:F3} -> {last:F3}, penalty {penalty:G3}";
            }),
        ("onnx", "mlContext.Model.ExportToOnnx, scored with ONNX Runtime",
            (data, output) => $"max |ONNX Runtime - ML.NET| = {OnnxExportWithOnnxRuntime.Example(data, Path.Combine(output, "example.onnx")):G2}"),
        ("warm-start", "mlContext.Model.Save/Load, trainer.Fit(data, initialModel) with FoldedForceRegularizer.Options",
            (data, output) => WarmStart.Example(data, Path.Combine(output, "example-pretrained.zip")).TrainingOptions),
        ("checkpoint", "Options.CheckpointPath: an interrupted Fit continues from its checkpoint",
            (data, output) => Checkpoint(data, Path.Combine(output, "example-checkpoint.bin"))),
    ];

    /// <inheritdoc/>
    public override int Execute(CommandContext context, ExampleCommandSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Name is null)
        {
            var table = new Table().RoundedBorder().Title("Examples (src/Samples/Examples; example <NAME>)");
            table.AddColumn("Name");
            table.AddColumn("Shows");
            foreach (var (name, shows, _) in All)
            {
                table.AddRow(Markup.Escape(name), Markup.Escape(shows));
            }

            console.Write(table);
            return 0;
        }

        RunEnvironment.ApplyThreads(settings.Threads);
        Directory.CreateDirectory(settings.Output);
        var result = All.Single(e => e.Name == settings.Name).Run(settings.Data ?? RepositoryLocator.FindEmbeddedData(), settings.Output);
        console.MarkupLine($"[bold]{Markup.Escape(settings.Name)}[/]: {Markup.Escape(result)}");
        return 0;
    }

    // The example resumes from the file, so a checkpoint of an earlier run is removed first.
    private static string Checkpoint(string data, string path)
    {
        File.Delete(path);
        var (before, after) = CheckpointAndResume.Example(data, path);
        return $"{before} epoch(s) before the interruption, {after} after resuming";
    }
}
