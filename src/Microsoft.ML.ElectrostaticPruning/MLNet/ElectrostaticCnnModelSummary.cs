using System.Globalization;
using System.Text;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>What a trained <see cref="ElectrostaticCnnTransformer"/> is: network, classes, pruning outcome, cost and training history.</summary>
public sealed class ElectrostaticCnnModelSummary
{
    internal ElectrostaticCnnModelSummary(
        CnnArchitecture architecture,
        ImageShape inputShape,
        IReadOnlyList<string> classNames,
        PruningPlan plan,
        IReadOnlyList<PrunedLayerSummary> layers,
        ModelComplexity dense,
        ModelComplexity pruned,
        TrainingHistory training,
        TrainingHistory fineTuning,
        string trainingOptions)
    {
        Architecture = architecture;
        InputShape = inputShape;
        ClassNames = classNames;
        PruningPlan = plan;
        Layers = layers;
        Dense = dense;
        Pruned = pruned;
        Training = training;
        FineTuning = fineTuning;
        TrainingOptions = trainingOptions;
    }

    /// <summary>The network family.</summary>
    public CnnArchitecture Architecture { get; }

    /// <summary>Shape of one input image.</summary>
    public ImageShape InputShape { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>Class names in key order (the label's key values as text, or "0".."K-1").</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The plan the pruned network was cut with.</summary>
    public PruningPlan PruningPlan { get; }

    /// <summary>Every prunable convolution with its ratio and filter counts, in layer order.</summary>
    public IReadOnlyList<PrunedLayerSummary> Layers { get; }

    /// <summary>Parameters and multiply-accumulates per image of the dense (trained, unpruned) network.</summary>
    public ModelComplexity Dense { get; }

    /// <summary>Parameters and multiply-accumulates per image of the pruned network the transformer scores with.</summary>
    public ModelComplexity Pruned { get; }

    /// <summary>FLOPs speedup, dense FLOPs / pruned FLOPs (FLOPs = 2 x MACs).</summary>
    public double Speedup => (double)Dense.Flops / Pruned.Flops;

    /// <summary>Parameter compression, dense parameters / pruned parameters.</summary>
    public double CompressionRatio => (double)Dense.Parameters / Pruned.Parameters;

    /// <summary>Per-epoch metrics of the regularized training.</summary>
    public TrainingHistory Training { get; }

    /// <summary>Per-epoch metrics of fine-tuning after pruning (empty when there was none, or for a transformer made by Prune).</summary>
    public TrainingHistory FineTuning { get; }

    /// <summary>The trainer settings, as one line.</summary>
    public string TrainingOptions { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{Architecture} on {InputShape} images, {ClassCount} classes; plan {PruningPlan}");
        text.AppendLine(c, $"dense:  {Dense.Parameters,12:N0} params {Dense.Flops,16:N0} FLOPs");
        text.AppendLine(c, $"pruned: {Pruned.Parameters,12:N0} params {Pruned.Flops,16:N0} FLOPs  speedup {Speedup:F2}x, compression {CompressionRatio:F2}x");
        foreach (var layer in Layers)
        {
            text.AppendLine(c, $"  layer {layer.LayerIndex,3} {layer.Name,-24} ratio {layer.Ratio,5:F2}  filters {layer.KeptFilters,4}/{layer.Filters}  dead {layer.DeadChannels,4}  source share {layer.SourceNormShare,6:P1}  removed with source sign {layer.RemovedWithSourceSign,4}/{layer.RemovedFilters}");
        }

        if (Training.Last is { } last)
        {
            text.AppendLine(c, $"trained {Training.Count} epochs: loss {last.Loss:F4}, train accuracy {last.TrainAccuracy:P2}{(last.ValidationAccuracy is double v ? string.Create(c, $", validation accuracy {v:P2}") : string.Empty)}");
        }

        if (FineTuning.Last is { } tuned)
        {
            text.AppendLine(c, $"fine-tuned {FineTuning.Count} epochs: loss {tuned.Loss:F4}, train accuracy {tuned.TrainAccuracy:P2}{(tuned.ValidationAccuracy is double v ? string.Create(c, $", validation accuracy {v:P2}") : string.Empty)}");
        }

        text.Append(c, $"options: {TrainingOptions}");
        return text.ToString();
    }
}
