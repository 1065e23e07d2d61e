using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// A zoo CNN that knows its prunable structure. Every network is built from a width list (output channels of each
/// indexed conv, in GReg layer order), so a pruned network is the same architecture constructed with fewer channels.
/// </summary>
internal abstract class CnnNetwork : nn.Module<Tensor, Tensor>
{
    private readonly int[] widths;
    private ConvLayerTable table = new();
    private Dictionary<string, nn.Module> modulesByName = [];
    private Linear? classifier;
    private string classifierName = string.Empty;

    /// <summary>Validates the common arguments; derived constructors build the modules and then call <see cref="CompleteStructure"/>.</summary>
    protected CnnNetwork(string name, CnnArchitecture architecture, ImageShape inputShape, int classCount, IReadOnlyList<int> widths, int expectedWidthCount)
        : base(name)
    {
        ValidateArguments(architecture, inputShape, classCount, widths, expectedWidthCount);
        Architecture = architecture;
        InputShape = inputShape;
        ClassCount = classCount;
        this.widths = [.. widths];
    }

    /// <summary>Which zoo architecture this is.</summary>
    public CnnArchitecture Architecture { get; }

    /// <summary>Shape of one input image; <c>forward</c> expects N x C x H x W batches of it.</summary>
    public ImageShape InputShape { get; }

    /// <summary>Number of classes (outputs of the classifier).</summary>
    public int ClassCount { get; }

    /// <summary>Output channels of each indexed conv, by GReg layer index.</summary>
    public IReadOnlyList<int> Widths => widths;

    /// <summary>Every conv in GReg (definition) order, shortcut convs included.</summary>
    public IReadOnlyList<ConvLayerInfo> ConvLayers => table.Layers;

    /// <summary>Number of residual stages (0 for plain networks).</summary>
    public abstract int ResidualStageCount { get; }

    /// <summary>Length of a per-stage pruning list for this network: stem, each residual stage, classifier.</summary>
    public int StageListLength => ResidualStageCount + 2;

    /// <summary>GReg layer index of the classifier (the Linear after the last conv).</summary>
    public int ClassifierLayerIndex => table.IndexedCount;

    /// <summary>The final Linear layer.</summary>
    public Linear Classifier => classifier ?? throw new InvalidOperationException("The network structure is not complete.");

    /// <summary>State-dict prefix of the classifier, e.g. <c>fc</c>.</summary>
    public string ClassifierName => classifierName;

    /// <summary>The indexed (non-shortcut) conv with GReg layer index <paramref name="layerIndex"/>.</summary>
    public ConvLayerInfo GetLayer(int layerIndex)
    {
        if (layerIndex < 0 || layerIndex >= ClassifierLayerIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(layerIndex), layerIndex, $"{Architecture} has convs 0-{ClassifierLayerIndex - 1} (layer {ClassifierLayerIndex} is the classifier).");
        }

        return table.Layers.First(l => !l.IsShortcut && l.LayerIndex == layerIndex);
    }

    /// <summary>The conv module described by <paramref name="layer"/>.</summary>
    public Conv2d GetConv(ConvLayerInfo layer) => Resolve<Conv2d>(layer.Name);

    /// <summary>The BatchNorm that directly follows <paramref name="layer"/>.</summary>
    public BatchNorm2d GetBatchNorm(ConvLayerInfo layer) => Resolve<BatchNorm2d>(table.BatchNormOf(layer));

    /// <summary>State-dict prefix of the BatchNorm that directly follows <paramref name="layer"/>.</summary>
    public string GetBatchNormName(ConvLayerInfo layer) => table.BatchNormOf(layer);

    /// <summary>Who reads <paramref name="layer"/>'s output channels. Only defined for convs that are not residual-locked.</summary>
    public ChannelConsumers GetConsumers(ConvLayerInfo layer) =>
        table.ConsumersOf(layer) ?? throw new InvalidOperationException(
            $"Conv '{layer.Name}' of {Architecture} is residual-locked: its output joins the residual stream, so its channels cannot be removed on their own.");

    /// <summary>Called by derived constructors after <c>RegisterComponents()</c>: binds the recorded structure to the registered modules.</summary>
    protected void CompleteStructure(ConvLayerTable layers, Linear classifierModule)
    {
        table = layers;
        classifier = classifierModule;
        modulesByName = named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        classifierName = modulesByName.First(m => ReferenceEquals(m.Value, classifierModule)).Key;
        if (table.IndexedCount != widths.Length)
        {
            throw new InvalidOperationException($"{Architecture}: recorded {table.IndexedCount} indexed convs but was built from {widths.Length} widths.");
        }

        InitializeWeights();
    }

    /// <summary>Fails fast, naming the expected shape, when <paramref name="input"/> is not an N x C x H x W batch of <see cref="InputShape"/>.</summary>
    protected void CheckInput(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != InputShape.Channels || input.shape[2] != InputShape.Height || input.shape[3] != InputShape.Width)
        {
            throw new ArgumentException(
                $"{Architecture} was built for N x {InputShape} input (N x C x H x W) but got a tensor of shape [{string.Join(", ", input.shape)}].",
                nameof(input));
        }
    }

    private T Resolve<T>(string name)
        where T : nn.Module =>
        modulesByName.TryGetValue(name, out var module) && module is T typed
            ? typed
            : throw new InvalidOperationException($"{Architecture} has no {typeof(T).Name} named '{name}'.");

    // torchvision's initialisation: Kaiming-normal (fan-out, ReLU) convs, BatchNorm scale 1 and shift 0, default Linear.
    private void InitializeWeights()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d bn:
                    nn.init.ones_(bn.weight!);
                    nn.init.zeros_(bn.bias!);
                    break;
            }
        }
    }

    private static void ValidateArguments(CnnArchitecture architecture, ImageShape inputShape, int classCount, IReadOnlyList<int> widths, int expectedWidthCount)
    {
        if (inputShape.Channels < 1 || inputShape.Height < 1 || inputShape.Width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(inputShape), inputShape, "Input channels, height and width must each be at least 1.");
        }

        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier needs at least 2 classes.");
        }

        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count != expectedWidthCount)
        {
            throw new ArgumentException($"{architecture} has {expectedWidthCount} indexed convs, so it needs {expectedWidthCount} widths, but {widths.Count} were given.", nameof(widths));
        }

        for (int i = 0; i < widths.Count; i++)
        {
            if (widths[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(widths), widths[i], $"Width of conv {i} of {architecture} must be at least 1.");
            }
        }
    }
}
