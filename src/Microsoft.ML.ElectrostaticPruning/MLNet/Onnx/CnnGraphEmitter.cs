using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Onnx;

/// <summary>
/// Writes the forward pass of a BatchNorm-folded zoo network (<see cref="CnnNetwork.ForInference"/>) as ONNX nodes, op
/// for op as the networks' own <c>forward</c> methods compute it: the input normalization as Sub + Div (when the
/// network has one), Conv (with the folded bias), Relu, MaxPool, Add,
/// option-A shortcuts as Slice (stride-2 subsampling) + Pad (zero channels), GlobalAveragePool, Flatten and Gemm. Kernel
/// sizes, strides and paddings are read from the modules themselves; the weights are written in NCHW (OIHW) order.
/// </summary>
internal sealed class CnnGraphEmitter
{
    private readonly OnnxGraph _graph;
    private readonly Dictionary<string, nn.Module> _modules;
    private readonly CnnNetwork _network;

    private CnnGraphEmitter(OnnxGraph graph, CnnNetwork network)
    {
        _graph = graph;
        _network = network;
        _modules = network.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
    }

    /// <summary>
    /// Emits <paramref name="network"/> on the N x C x H x W variable <paramref name="input"/> and returns the variable
    /// holding the N x K logits.
    /// </summary>
    /// <exception cref="ArgumentException">The network is not the folded inference form.</exception>
    public static string EmitLogits(OnnxGraph graph, CnnNetwork network, string input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(network);
        if (!network.IsBatchNormFolded)
        {
            throw new ArgumentException($"ONNX export writes the BatchNorm-folded form of {network.Architecture}: pass network.ForInference().", nameof(network));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var emitter = new CnnGraphEmitter(graph, network);
        input = emitter.NormalizeInput(input);
        return network switch
        {
            SmallCnn => emitter.EmitSmallCnn(input),
            CifarResNet => emitter.EmitCifarResNet(input),
            CifarVgg => emitter.EmitCifarVgg(input),
            ImageNetResNet => emitter.EmitImageNetResNet(input),
            _ => throw new NotSupportedException($"ONNX export does not know the structure of {network.GetType().Name} ({network.Architecture})."),
        };
    }

    // (x - mean) / std per channel, as CnnNetwork.PrepareInput computes it (1 x C x 1 x 1 constants, broadcast); no node
    // at all without a normalization, so such graphs are exactly what they were before normalizations existed.
    private string NormalizeInput(string x)
    {
        if (_network.InputNormalization is not { } normalization)
        {
            return x;
        }

        long[] shape = [1, normalization.Channels, 1, 1];
        var (centered, _) = _graph.Node("Sub", "input.normalize.sub", x, _graph.Floats("input.normalize.mean", [.. normalization.Mean], shape));
        var (scaled, _) = _graph.Node("Div", "input.normalize.div", centered, _graph.Floats("input.normalize.std", [.. normalization.Std], shape));
        return scaled;
    }

    // conv1-ReLU-pool, conv2-ReLU-pool, flatten, fc (SmallCnn.forward).
    private string EmitSmallCnn(string x)
    {
        x = Relu(Conv("conv1", x), "conv1");
        x = Pool2x2(x, "pool1");
        x = Relu(Conv("conv2", x), "conv2");
        x = Pool2x2(x, "pool2");
        return Classifier(x, pool: false);
    }

    // Stem conv-ReLU, three stages of option-A basic blocks, global average pool, linear (CifarResNet.forward).
    private string EmitCifarResNet(string x)
    {
        x = Relu(Conv("conv1", x), "conv1");
        foreach (var (prefix, _) in Blocks(3))
        {
            var conv1 = ConvModule($"{prefix}.conv1");
            var conv2 = ConvModule($"{prefix}.conv2");
            long stride = conv1.stride[0], inChannels = conv1.in_channels, outChannels = conv2.out_channels;
            var y = Relu(Conv($"{prefix}.conv1", x), $"{prefix}.conv1");
            y = Conv($"{prefix}.conv2", y);
            y = Add(y, OptionAShortcut(x, prefix, stride, inChannels, outChannels), prefix);
            x = Relu(y, prefix);
        }

        return Classifier(x, pool: true);
    }

    // The feature Sequential (conv, ReLU, 2x2 max-pool or identity entries), global average pool, linear (CifarVgg.forward).
    private string EmitCifarVgg(string x)
    {
        var features = (Sequential)_modules["features"];
        foreach (var (name, module) in features.named_children())
        {
            string path = $"features.{name}";
            x = module switch
            {
                Conv2d => Conv(path, x),
                ReLU => Relu(x, path),
                MaxPool2x2 => Pool2x2(x, path),
                Identity => x,
                _ => throw new NotSupportedException($"ONNX export: unexpected module {module.GetType().Name} at '{path}' of {_network.Architecture}."),
            };
        }

        return Classifier(x, pool: true);
    }

    // Stem conv-ReLU-maxpool, four stages of basic or bottleneck blocks with 1x1 projection shortcuts, pool, fc (ImageNetResNet.forward).
    private string EmitImageNetResNet(string x)
    {
        x = Relu(Conv("conv1", x), "conv1");
        var pool = (MaxPool2d)_modules["maxpool"];
        x = MaxPool(x, "maxpool", pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? [0, 0], pool.ceil_mode);
        foreach (var (prefix, block) in Blocks(4))
        {
            int convs = block is Bottleneck ? 3 : 2;
            var y = x;
            for (int i = 1; i <= convs; i++)
            {
                y = Conv($"{prefix}.conv{i}", y);
                y = i < convs ? Relu(y, $"{prefix}.conv{i}") : y;
            }

            string shortcut = _modules.ContainsKey($"{prefix}.downsample.0") ? Conv($"{prefix}.downsample.0", x) : x;
            x = Relu(Add(y, shortcut, prefix), prefix);
        }

        return Classifier(x, pool: true);
    }

    // The residual blocks of layer1..layerN in forward order, as (state-dict prefix, module).
    private IEnumerable<(string Prefix, nn.Module Block)> Blocks(int stages)
    {
        for (int stage = 1; stage <= stages; stage++)
        {
            var layer = (Sequential)_modules[$"layer{stage}"];
            foreach (var (name, block) in layer.named_children())
            {
                yield return ($"layer{stage}.{name}", block);
            }
        }
    }

    // x[:, :, ::s, ::s] zero-padded with (out - in) channels split before/after (OptionABasicBlock.Shortcut).
    private string OptionAShortcut(string x, string prefix, long stride, long inChannels, long outChannels)
    {
        long before = (outChannels - inChannels) / 2, after = outChannels - inChannels - before;
        if (stride != 1)
        {
            var (sliced, _) = _graph.Node(
                "Slice",
                $"{prefix}.shortcut.subsample",
                x,
                _graph.Longs($"{prefix}.shortcut.starts", [0, 0], [2]),
                _graph.Longs($"{prefix}.shortcut.ends", [long.MaxValue, long.MaxValue], [2]),
                _graph.Longs($"{prefix}.shortcut.axes", [2, 3], [2]),
                _graph.Longs($"{prefix}.shortcut.steps", [stride, stride], [2]));
            x = sliced;
        }

        if (before == 0 && after == 0)
        {
            return x;
        }

        var (padded, node) = _graph.Node(
            "Pad",
            $"{prefix}.shortcut.pad",
            x,
            _graph.Longs($"{prefix}.shortcut.pads", [0, before, 0, 0, 0, after, 0, 0], [8]),
            _graph.Float($"{prefix}.shortcut.value", 0f));
        node.AddAttribute("mode", "constant");
        return padded;
    }

    private string Classifier(string x, bool pool)
    {
        if (pool)
        {
            (x, _) = _graph.Node("GlobalAveragePool", "avgpool", x);
        }

        var (flat, flatten) = _graph.Node("Flatten", "flatten", x);
        flatten.AddAttribute("axis", 1L);
        var linear = _network.Classifier;
        string name = _network.ClassifierName;
        var (logits, gemm) = _graph.Node(
            "Gemm",
            name,
            flat,
            _graph.Floats($"{name}.weight", Values(linear.weight), [linear.out_features, linear.in_features]),
            _graph.Floats($"{name}.bias", Values(linear.bias!), [linear.out_features]));
        gemm.AddAttribute("transB", 1L);
        return logits;
    }

    private Conv2d ConvModule(string path) =>
        _modules.TryGetValue(path, out var module) && module is Conv2d conv
            ? conv
            : throw new InvalidOperationException($"ONNX export: {_network.Architecture} has no conv '{path}'.");

    private string Conv(string path, string x)
    {
        var conv = ConvModule(path);
        if (conv.groups != 1 || conv.dilation.Any(d => d != 1) || conv.padding_mode != PaddingModes.Zeros || conv.bias is null)
        {
            throw new NotSupportedException($"ONNX export: conv '{path}' of {_network.Architecture} is not a plain biased conv (groups 1, dilation 1, zero padding).");
        }

        var weight = conv.weight!;
        long[] shape = weight.shape;
        var (output, node) = _graph.Node(
            "Conv",
            path,
            x,
            _graph.Floats($"{path}.weight", Values(weight), shape),
            _graph.Floats($"{path}.bias", Values(conv.bias), [shape[0]]));
        node.AddAttribute("kernel_shape", shape[2..]);
        node.AddAttribute("strides", conv.stride);
        long[] pads = conv.padding ?? [0, 0];
        node.AddAttribute("pads", (long[])[pads[0], pads[1], pads[0], pads[1]]);
        node.AddAttribute("dilations", (long[])[1, 1]);
        node.AddAttribute("group", 1L);
        return output;
    }

    private string Relu(string x, string name) => _graph.Node("Relu", $"{name}.relu", x).Output;

    private string Add(string a, string b, string name) => _graph.Node("Add", $"{name}.add", a, b).Output;

    // Models.MaxPool2x2: kernel 2, stride 2, floor (it defers to max_pool2d for odd sizes).
    private string Pool2x2(string x, string name) => MaxPool(x, name, [2, 2], [2, 2], [0, 0], ceil: false);

    private string MaxPool(string x, string name, long[] kernel, long[] stride, long[] padding, bool ceil)
    {
        static long[] Pair(long[] v) => v.Length == 1 ? [v[0], v[0]] : v;
        long[] k = Pair(kernel), s = Pair(stride), p = Pair(padding);
        var (output, node) = _graph.Node("MaxPool", name, x);
        node.AddAttribute("kernel_shape", k);
        node.AddAttribute("strides", s);
        node.AddAttribute("pads", (long[])[p[0], p[1], p[0], p[1]]);
        node.AddAttribute("ceil_mode", ceil ? 1L : 0L);
        return output;
    }

    // The values in row-major order of the logical shape (a channels-last weight is copied to NCHW order first).
    private static float[] Values(Tensor tensor) =>
        tensor.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
}
