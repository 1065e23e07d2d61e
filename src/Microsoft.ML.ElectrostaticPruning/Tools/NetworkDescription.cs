using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// What a zoo network is, and what a pruning plan makes of it, without training: filters kept per conv, parameters,
/// FLOPs and MACs of the dense and the pruned network, and the FLOPs speedup, in the paper's (GReg's) conventions.
/// </summary>
/// <remarks>
/// <para>
/// Counts (GReg's, the paper's Table 2): a conv with <c>n</c> filters and ratio <c>p</c> loses
/// <c>min(ceil(p * n), n - 1)</c> filters (in double; never all of them); shortcut convs and the last conv of every
/// residual block keep all filters; a skip list forces ratio 0 on whole blocks. Parameters are conv and Linear
/// weights and biases (BatchNorm excluded). MACs per image are
/// <c>sum over convs of prod(weight.shape) * H_out * W_out / groups + sum over Linear layers of prod(weight.shape)</c>
/// (bias, BatchNorm, ReLU and pooling ignored); FLOPs = 2 x MACs; speedup = dense FLOPs / pruned FLOPs.
/// </para>
/// <para>
/// <see cref="Describe"/> builds the dense network on the CPU, cuts it with the same filter pruner the trainer uses
/// (kept counts do not depend on the weights, only which filters survive does), measures both networks with one
/// forward pass of a zero image and disposes them. Building initializes weights from torch's global RNG; its state is
/// saved before and restored after, so a seeded run draws the same numbers whether or not it described a network.
/// Do not call it while another thread draws from the global torch RNG. One call takes well under a second for the
/// CIFAR networks and about a second for an ImageNet ResNet at 224 x 224.
/// </para>
/// </remarks>
public sealed class NetworkDescription
{
    private NetworkDescription(
        CnnArchitecture architecture,
        ImageShape inputShape,
        int classCount,
        PruningPlan? plan,
        IReadOnlyList<ConvLayerDescription> layers,
        ModelComplexity dense,
        ModelComplexity? pruned)
    {
        Architecture = architecture;
        InputShape = inputShape;
        ClassCount = classCount;
        Plan = plan;
        Layers = layers;
        Dense = dense;
        Pruned = pruned;
    }

    /// <summary>The network family.</summary>
    public CnnArchitecture Architecture { get; }

    /// <summary>Shape of one input image (channels x height x width) the network was measured on.</summary>
    public ImageShape InputShape { get; }

    /// <summary>Number of classes, the classifier's outputs (at least 2).</summary>
    public int ClassCount { get; }

    /// <summary>The pruning plan, or null when the description is of the dense network only.</summary>
    public PruningPlan? Plan { get; }

    /// <summary>Every conv in GReg (definition) order, shortcut convs included, with its dense and kept filter counts.</summary>
    public IReadOnlyList<ConvLayerDescription> Layers { get; }

    /// <summary>Parameters, MACs and FLOPs (2 x MAC) per image of the dense network.</summary>
    public ModelComplexity Dense { get; }

    /// <summary>Parameters, MACs and FLOPs (2 x MAC) per image of the pruned network; null without a plan.</summary>
    public ModelComplexity? Pruned { get; }

    /// <summary>FLOPs speedup <c>F_dense / F_pruned</c> (at least 1); null without a plan.</summary>
    public double? Speedup => Pruned is null ? null : (double)Dense.Flops / Pruned.Flops;

    /// <summary>Parameter compression <c>params_dense / params_pruned</c> (at least 1); null without a plan.</summary>
    public double? CompressionRatio => Pruned is null ? null : (double)Dense.Parameters / Pruned.Parameters;

    /// <summary>Describes <paramref name="architecture"/> for <paramref name="imageShape"/> images and <paramref name="classCount"/> classes, pruned with <paramref name="plan"/> when one is given.</summary>
    /// <param name="architecture">Which zoo network.</param>
    /// <param name="imageShape">
    /// Shape of one input image, each dimension at least 1 (SmallCnn: height and width at least 4); FLOPs scale with
    /// the image area. 32 x 32 for the CIFAR networks and 224 x 224 for the ImageNet ResNets give the paper's numbers.
    /// </param>
    /// <param name="classCount">Number of classes, at least 2.</param>
    /// <param name="plan">
    /// The pruning plan, skip list and channel rounding included (e.g. <c>PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0, 0] skip 1.0,2.0,2.3,3.0,3.5")</c>);
    /// it must fit the network (stage-list length, layer indices, classifier ratio 0, skip entries naming existing
    /// blocks). Null describes the dense network only.
    /// </param>
    /// <returns>An immutable description; it holds no native memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An undefined architecture, a dimension of <paramref name="imageShape"/> below 1 or below the network's minimum (SmallCnn: 4 x 4), or fewer than 2 classes.</exception>
    /// <exception cref="ArgumentException"><paramref name="plan"/> does not fit the network; the message says how.</exception>
    public static NetworkDescription Describe(CnnArchitecture architecture, ImageShape imageShape, int classCount, PruningPlan? plan = null)
    {
        if (!Enum.IsDefined(architecture))
        {
            throw new ArgumentOutOfRangeException(nameof(architecture), architecture, $"Unknown architecture; expected one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}.");
        }

        if (imageShape.Channels < 1 || imageShape.Height < 1 || imageShape.Width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(imageShape), imageShape, "Image channels, height and width must each be at least 1.");
        }

        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier needs at least 2 classes.");
        }

        using var rngState = get_rng_state();
        try
        {
            return Build(architecture, imageShape, classCount, plan);
        }
        finally
        {
            set_rng_state(rngState);
        }
    }

    /// <summary>
    /// A table: one line per conv (GReg index, name, stage.block, filters, kept filters, ratio, why not prunable), then
    /// the dense and pruned parameters, FLOPs (2 x MAC) and MACs and the speedup, units always written.
    /// </summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{Architecture} on {InputShape} images, {ClassCount} classes; plan {(Plan is null ? "none (dense)" : Plan.ToString())}");
        text.AppendLine(c, $"{"layer",5}  {"name",-24} {"stage.block",11} {"filters",8} {"kept",6} {"ratio",6}  note");
        foreach (var layer in Layers)
        {
            string note = layer.NotPrunableReason ?? (layer.IsSkipped ? "skipped" : string.Empty);
            string stageBlock = string.Create(c, $"{layer.Stage}.{layer.Block}");
            text.AppendLine(string.Create(c, $"{layer.LayerIndex,5}  {layer.Name,-24} {stageBlock,11} {layer.Filters,8} {layer.KeptFilters,6} {layer.Ratio,6:F2}  {note}").TrimEnd());
        }

        text.Append(c, $"dense:  {Dense}");
        if (Pruned is not null)
        {
            text.AppendLine();
            text.AppendLine(c, $"pruned: {Pruned}");
            text.Append(c, $"speedup {Speedup:F2}x (FLOPs), compression {CompressionRatio:F2}x (params)");
        }

        return text.ToString();
    }

    private static NetworkDescription Build(CnnArchitecture architecture, ImageShape imageShape, int classCount, PruningPlan? plan)
    {
        using var dense = Create(architecture, imageShape, classCount);
        var denseComplexity = ComplexityCounter.Measure(dense);
        if (plan is null)
        {
            var layers = dense.ConvLayers.Select(l => DescribeLayer(l, l.OutChannels, 0, skipped: false)).ToArray();
            return new NetworkDescription(architecture, imageShape, classCount, null, Array.AsReadOnly(layers), denseComplexity, null);
        }

        try
        {
            // Checks the plan against the network before any filter is cut; the plan's own message names the misfit.
            _ = plan.LayersToPrune(dense);
        }
        catch (ArgumentException e) when (e.ParamName is null)
        {
            throw new ArgumentException(e.Message, nameof(plan), e);
        }

        var result = FilterPruner.Prune(dense, plan);
        using var pruned = result.Network;
        var skippedBlocks = plan.SkippedBlocks.ToHashSet(StringComparer.Ordinal);
        var described = result.Layers
            .Select(l => DescribeLayer(l.Layer, l.KeptFilters, l.Ratio, skippedBlocks.Contains($"{l.Layer.Stage}.{l.Layer.Block}")))
            .ToArray();
        return new NetworkDescription(architecture, imageShape, classCount, plan, Array.AsReadOnly(described), result.Dense, result.Pruned);
    }

    private static CnnNetwork Create(CnnArchitecture architecture, ImageShape imageShape, int classCount)
    {
        try
        {
            return CnnZoo.Create(architecture, imageShape, classCount);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "inputShape")
        {
            // The zoo's own minimum (SmallCnn pools twice and needs 4 x 4), reported under this method's parameter name.
            throw new ArgumentOutOfRangeException(nameof(imageShape), imageShape, e.Message.Split(" (Parameter")[0]);
        }
    }

    private static ConvLayerDescription DescribeLayer(ConvLayerInfo layer, int keptFilters, double ratio, bool skipped)
    {
        string? reason = layer.IsShortcut ? "shortcut conv"
            : layer.IsResidualLocked ? "residual-locked (output joins a residual sum)"
            : layer.OutChannels < 2 ? "single filter"
            : null;
        return new ConvLayerDescription(
            layer.LayerIndex,
            layer.Name,
            layer.Stage,
            layer.Block,
            layer.IsShortcut,
            layer.OutChannels,
            keptFilters,
            ratio,
            layer.IsPrunable,
            skipped,
            reason);
    }
}
