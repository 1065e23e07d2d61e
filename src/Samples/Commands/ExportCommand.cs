using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Infrastructure;
using ElectrostaticPruning.Samples.Jobs;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary><c>export</c>: write a saved model as ONNX (the pruned network, BatchNorm folded) for ONNX Runtime, and/or as a PyTorch safetensors file (trainable).</summary>
internal sealed class ExportCommand(IAnsiConsole console) : Command<ExportCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, ExportCommandSettings settings, CancellationToken cancellationToken)
    {
        var mlContext = new MLContext(seed: settings.Seed);
        var (model, schema) = ModelFiles.LoadWithSchema(mlContext, settings.Model!);
        if (settings.PyTorch is { } pytorch)
        {
            model.SavePyTorch(pytorch);
            console.MarkupLine(Markup.Escape(
                $"Wrote {pytorch} ({new FileInfo(pytorch).Length / 1024.0:N0} KiB): {model.Summary.Architecture} pruned by {model.Summary.PruningPlan}, widths from the tensors, BatchNorm not folded; " +
                "load it with electrostatic_pruning_torch.load_pruned (docs/pytorch.md)."));
        }

        if (settings.Onnx is null)
        {
            return 0;
        }

        string path = settings.Onnx;
        AtomicFile.Write(path, stream => mlContext.Model.ExportToOnnx(model, schema, stream, settings.Opset, model.ScoreColumnName, model.PredictedLabelColumnName));

        var summary = model.Summary;
        var shape = summary.InputShape;
        var dims = schema[model.FeatureColumnName].Type is Microsoft.ML.Data.VectorDataViewType { Dimensions.Length: > 1 } shaped
            ? string.Join(", ", shaped.Dimensions)
            : shape.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        console.MarkupLine(Markup.Escape(
            $"Wrote {path} ({new FileInfo(path).Length / 1024.0:N0} KiB, opset {settings.Opset}): {summary.Architecture}, plan {summary.PruningPlan}, " +
            $"{summary.Pruned.Parameters:N0} params, BatchNorm folded."));
        console.MarkupLine(Markup.Escape(
            $"Input '{model.FeatureColumnName}': float [N, {dims}] ({shape} planar CHW per row). Outputs '{model.ScoreColumnName}.output': float [N, {summary.ClassCount}] " +
            $"probabilities, '{model.PredictedLabelColumnName}.output': uint32 [N, 1] (1-based class index)."));
        console.MarkupLine(Markup.Escape($"Metadata '{ElectrostaticOnnxMetadata.ClassNames}': {string.Join(", ", summary.ClassNames)}."));
        return 0;
    }
}
