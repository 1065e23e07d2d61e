using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// A zoo CNN that knows its prunable structure. Every network is built from a width list (output channels of each
/// indexed conv, in GReg layer order), so a pruned network is the same architecture constructed with fewer channels.
/// A network is built either trainable (bias-free convs, each followed by a BatchNorm) or, through
/// <see cref="ForInference"/>, as an eval-only copy whose BatchNorms are folded into the convs.
/// </summary>
internal abstract class CnnNetwork : nn.Module<Tensor, Tensor>
{
    private readonly int[] widths;
    private ConvLayerTable table = new();
    private Dictionary<string, nn.Module> modulesByName = [];
    private Linear? classifier;
    private string classifierName = string.Empty;
    private InputNormalization? inputNormalization;

    /// <summary>Validates the common arguments; derived constructors build the modules and then call <see cref="CompleteStructure"/>.</summary>
    protected CnnNetwork(string name, CnnArchitecture architecture, ImageShape inputShape, int classCount, IReadOnlyList<int> widths, int expectedWidthCount, bool foldBatchNorm)
        : base(name)
    {
        ValidateArguments(architecture, inputShape, classCount, widths, expectedWidthCount);
        ConvolutionKernels.EnsureReady();
        Architecture = architecture;
        InputShape = inputShape;
        ClassCount = classCount;
        IsBatchNormFolded = foldBatchNorm;
        this.widths = [.. widths];
    }

    /// <summary>Which zoo architecture this is.</summary>
    public CnnArchitecture Architecture { get; }

    /// <summary>Shape of one input image; <c>forward</c> expects N x C x H x W batches of it.</summary>
    public ImageShape InputShape { get; }

    /// <summary>Number of classes (outputs of the classifier).</summary>
    public int ClassCount { get; }

    /// <summary>
    /// Whether this is the eval-only form built by <see cref="ForInference"/>: convs with bias that hold their
    /// BatchNorm's affine map, no BatchNorm modules. Such a network cannot be trained, pruned or saved.
    /// </summary>
    public bool IsBatchNormFolded { get; }

    /// <summary>
    /// The per-channel normalization that <c>forward</c> applies to its input before the first conv, or null (default)
    /// for none, when the input goes to the first conv as it is. <see cref="Copy"/>, <see cref="ForInference"/>, pruning,
    /// <see cref="Pruning.NetworkSerializer"/> and the ONNX export keep it. Set it before the network is used; it is not
    /// part of the state dictionary (no parameter or buffer), so the module keys stay those of the PyTorch references.
    /// </summary>
    /// <exception cref="ArgumentException">The normalization has another channel count than <see cref="InputShape"/>.</exception>
    public InputNormalization? InputNormalization
    {
        get => inputNormalization;
        set
        {
            if (value is not null && value.Channels != InputShape.Channels)
            {
                throw new ArgumentException($"The input normalization has {value.Channels} channels but this {Architecture} reads {InputShape} images ({InputShape.Channels} channels).", nameof(value));
            }

            inputNormalization = value;
        }
    }

    /// <summary>How convs and BatchNorms are built for this network's form.</summary>
    protected LayerFactory Factory => new(IsBatchNormFolded);

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
    public BatchNorm2d GetBatchNorm(ConvLayerInfo layer) => Resolve<BatchNorm2d>(GetBatchNormName(layer));

    /// <summary>State-dict prefix of the BatchNorm that directly follows <paramref name="layer"/>.</summary>
    public string GetBatchNormName(ConvLayerInfo layer) => IsBatchNormFolded
        ? throw new InvalidOperationException($"This {Architecture} has its BatchNorms folded into the convs for inference; conv '{layer.Name}' has no BatchNorm.")
        : table.BatchNormOf(layer);

    /// <summary>
    /// An eval-only copy for fast inference, with the same outputs as this network in eval mode: every conv and the
    /// BatchNorm after it become one conv with bias, W' = W·γ/√(σ² + ε) and b' = β + (b − μ)·γ/√(σ² + ε) per filter
    /// (μ, σ² the running statistics), so the forward pass runs no BatchNorm. This network is not modified, and the
    /// global torch RNG is left as it was.
    /// </summary>
    public CnnNetwork ForInference() => BatchNormFolding.Fold(this);

    /// <summary>
    /// An independent copy of this trainable network (same architecture, widths, weights, BatchNorm statistics and
    /// training mode); the global torch RNG is left as it was.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is a folded (<see cref="ForInference"/>) network.</exception>
    public CnnNetwork Copy()
    {
        if (IsBatchNormFolded)
        {
            throw new InvalidOperationException($"This {Architecture} has its BatchNorms folded for inference; copy the trainable network instead.");
        }

        var copy = CnnZoo.CreateForCopy(Architecture, InputShape, ClassCount, widths, foldBatchNorm: false);
        try
        {
            copy.InputNormalization = inputNormalization;
            copy.to(Classifier.weight.device);
            using var noGrad = no_grad();
            var target = copy.state_dict();
            foreach (var (name, value) in state_dict())
            {
                target[name].copy_(value);
            }
        }
        catch
        {
            copy.Dispose();
            throw;
        }

        copy.train(training);
        return copy;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Training mode was requested for a folded (<see cref="ForInference"/>) network.</exception>
    public override void train(bool train = true)
    {
        if (train && IsBatchNormFolded)
        {
            throw new InvalidOperationException($"This {Architecture} has its BatchNorms folded into the convs by ForInference() and is for inference only; train the original network instead.");
        }

        base.train(train);
    }

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

        // A folded network receives all its weights from the network it folds.
        if (!IsBatchNormFolded)
        {
            InitializeWeights();
            ConvolutionKernels.Prepare(this);
        }
    }

    /// <summary>Whether this network's convs are routed as <see cref="RouteConvolutionsChannelsLast"/> describes.</summary>
    internal bool RoutesConvolutionsChannelsLast { get; private set; }

    /// <summary>
    /// Safe-mode routing (see <see cref="ConvolutionKernelMode.ChannelsLast"/>), through a forward pre-hook on every conv:
    /// a conv with a spatial kernel receives its input channels-last (NHWC strides), a 1x1 conv receives it NCHW
    /// (a copy only when the layout differs). libtorch's oneDNN then runs the spatial convs, forward and backward, in
    /// their channels-last form and the 1x1 convs in their NCHW form: on machines with degenerate cache sizes, those are
    /// the forms that compute correctly (oneDNN's channels-last 1x1 kernels are wrong there, or divide by zero). The
    /// parameters keep their layout, so saving, loading and the optimizer's state are unaffected. Idempotent.
    /// </summary>
    internal void RouteConvolutionsChannelsLast()
    {
        if (RoutesConvolutionsChannelsLast)
        {
            return;
        }

        foreach (var conv in modules().OfType<Conv2d>())
        {
            conv.register_forward_pre_hook((_, input) => RouteForChannelsLast(conv, input));
        }

        RoutesConvolutionsChannelsLast = true;
    }

    /// <summary>The input of <paramref name="conv"/> in the layout that <see cref="RouteConvolutionsChannelsLast"/> routes it in (itself when already so).</summary>
    internal static Tensor RouteForChannelsLast(Conv2d conv, Tensor input) => IsPointwise(conv)
        ? (input.is_contiguous() ? input : input.contiguous())
        : (ChannelsLast.Is(input) ? input : ChannelsLast.From(input));

    /// <summary>Whether <paramref name="conv"/> has a 1x1 kernel.</summary>
    internal static bool IsPointwise(Conv2d conv) => conv.weight!.shape[2] == 1 && conv.weight.shape[3] == 1;

    /// <summary>Fails fast, naming the expected shape, when <paramref name="input"/> is not an N x C x H x W batch of <see cref="InputShape"/>.</summary>
    private void CheckInput(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != InputShape.Channels || input.shape[2] != InputShape.Height || input.shape[3] != InputShape.Width)
        {
            throw new ArgumentException(
                $"{Architecture} was built for N x {InputShape} input (N x C x H x W) but got a tensor of shape [{string.Join(", ", input.shape)}].",
                nameof(input));
        }
    }

    /// <summary>
    /// <see cref="CheckInput"/>, then the <see cref="InputNormalization"/> of <paramref name="input"/>: a new tensor in the
    /// caller's dispose scope, <c>(input − mean) / std</c> in the input's dtype; <paramref name="input"/> itself when
    /// there is no normalization. Call it inside the forward pass's dispose scope.
    /// </summary>
    protected Tensor PrepareInput(Tensor input)
    {
        CheckInput(input);
        if (inputNormalization is null)
        {
            return input;
        }

        long[] shape = [1, inputNormalization.Channels, 1, 1];
        using var mean = tensor(inputNormalization.Mean.ToArray(), shape, dtype: input.dtype, device: input.device);
        using var std = tensor(inputNormalization.Std.ToArray(), shape, dtype: input.dtype, device: input.device);
        using var centered = input.sub(mean);
        return centered.div(std);
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
