using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>
/// The measurement behind <see cref="ConvolutionKernelCheck"/>: 3x3 convolutions (padding 1, batch 4, 8x8) whose input
/// and output channel counts have partial 16-channel blocks, forward and backward in float32, against float64.
/// </summary>
internal static class ConvolutionProbe
{
    // 38 -> 22: a partial 16-channel block in the input (the forward weight reorder) and in the output (the backward-data
    // reorder); the defect makes both wrong (or NaN), and 38 -> 22 alone shows every failure seen on such machines.
    private static readonly (int In, int Out)[] Shapes = [(38, 22)];

    /// <summary>
    /// The worst relative error, <c>max |float32 − float64| / max |float64|</c>, over outputs, input gradients and weight
    /// gradients of the probed shapes; NaN if any float32 result holds a NaN. Leaves the global torch RNG untouched.
    /// </summary>
    /// <param name="channelsLast">Lay input and weight out channels-last (NHWC / OHWI strides) instead of NCHW.</param>
    public static double WorstRelativeError(bool channelsLast) => WorstRelativeError(channelsLast, Shapes, kernel: 3, stride: 1);

    /// <summary>
    /// The worst relative error of safe mode's mix: 3x3 convs channels-last, 1x1 convs NCHW (stride 2, the downsampling form). Channels-last
    /// 1x1 convs are never probed: on the machines this guards against, some shapes of them divide by zero inside oneDNN.
    /// </summary>
    public static double SafeModeWorstRelativeError() => Math.Max(
        WorstRelativeError(channelsLast: true),
        WorstRelativeError(false, Shapes, kernel: 1, stride: 2));

    /// <summary>The same measurement for other shapes, kernel sizes (padding kernel / 2) and strides.</summary>
    internal static double WorstRelativeError(bool channelsLast, IReadOnlyList<(int In, int Out)> shapes, int kernel, int stride)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(20_261_128);
        double worst = 0;
        foreach (var (inChannels, outChannels) in shapes)
        {
            int outSize = ((8 + (2 * (kernel / 2)) - kernel) / stride) + 1;
            var x = randn([4, inChannels, 8, 8], ScalarType.Float64, generator: generator);
            var w = randn([outChannels, inChannels, kernel, kernel], ScalarType.Float64, generator: generator).DividedBy(Math.Sqrt(kernel * kernel * inChannels));
            var g = randn([4, outChannels, outSize, outSize], ScalarType.Float64, generator: generator);
            var expected = ForwardBackward(x, w, g, kernel / 2, stride);
            var actual = ForwardBackward(Single(x, channelsLast), Single(w, channelsLast), Single(g, channelsLast), kernel / 2, stride);
            for (int i = 0; i < expected.Length; i++)
            {
                worst = Math.Max(worst, RelativeError(actual[i], expected[i]));
            }
        }

        return worst;
    }

    private static Tensor Single(Tensor tensor, bool channelsLast)
    {
        var single = tensor.to(ScalarType.Float32);
        return channelsLast ? Models.ChannelsLast.From(single) : single.contiguous();
    }

    private static Tensor[] ForwardBackward(Tensor x, Tensor w, Tensor gradient, long padding, long stride)
    {
        using var grad = enable_grad();
        var input = x.detach().requires_grad_();
        var weight = w.detach().requires_grad_();
        var output = nn.functional.conv2d(input, weight, strides: [stride, stride], padding: [padding, padding]);
        var gradients = autograd.grad([output], [input, weight], [gradient]);
        return [output.detach(), gradients[0], gradients[1]];
    }

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        double scale = expected.abs().max().item<double>();
        double difference = (actual.to(ScalarType.Float64) - expected).abs().max().item<double>();
        return double.IsNaN(difference) ? double.NaN : difference / scale;
    }
}
