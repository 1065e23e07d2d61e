namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// Records a network's convs while its constructor builds them: assigns GReg layer indices (shortcut convs do not
/// advance the index), remembers each conv's BatchNorm and the consumers of its output channels.
/// </summary>
internal sealed class ConvLayerTable
{
    private readonly List<ConvLayerInfo> layers = [];
    private readonly Dictionary<ConvLayerInfo, string> batchNorms = [];
    private readonly Dictionary<ConvLayerInfo, ChannelConsumers> consumers = [];
    private int nextIndex;

    /// <summary>Every conv in definition order.</summary>
    public IReadOnlyList<ConvLayerInfo> Layers => layers;

    /// <summary>Number of indexed (non-shortcut) convs; also the classifier's layer index.</summary>
    public int IndexedCount => nextIndex;

    /// <summary>Adds a conv that advances the layer index.</summary>
    public ConvLayerInfo Add(string name, string batchNormName, int stage, int block, int position, int outChannels, bool residualLocked)
    {
        var layer = new ConvLayerInfo(nextIndex++, name, stage, block, position, IsShortcut: false, residualLocked, outChannels);
        layers.Add(layer);
        batchNorms[layer] = batchNormName;
        return layer;
    }

    /// <summary>Adds a shortcut conv; it shares the index of the conv defined before it.</summary>
    public ConvLayerInfo AddShortcut(string name, string batchNormName, int stage, int block, int outChannels)
    {
        var layer = new ConvLayerInfo(nextIndex - 1, name, stage, block, Position: 0, IsShortcut: true, IsResidualLocked: true, outChannels);
        layers.Add(layer);
        batchNorms[layer] = batchNormName;
        return layer;
    }

    /// <summary>Declares which convs (and whether the classifier) read <paramref name="producer"/>'s output channels.</summary>
    public void SetConsumers(ConvLayerInfo producer, IReadOnlyList<ConvLayerInfo> convs, int classifierFeaturesPerChannel = 0) =>
        consumers[producer] = new ChannelConsumers(convs, classifierFeaturesPerChannel);

    /// <summary>State-dict prefix of the BatchNorm that follows <paramref name="layer"/>.</summary>
    public string BatchNormOf(ConvLayerInfo layer) => batchNorms[layer];

    /// <summary>Consumers of <paramref name="layer"/>'s output, or null when none were declared (residual-locked convs).</summary>
    public ChannelConsumers? ConsumersOf(ConvLayerInfo layer) => consumers.GetValueOrDefault(layer);
}
