using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Runs a classification network on batches of images held in a float array and returns class probabilities
/// (softmax of the logits). One forward pass per batch, no gradients, eval mode. It owns the network.
/// </summary>
internal sealed class NetworkScorer : IDisposable
{
    private readonly CnnNetwork _network;
    private readonly long[] _imageDims;
    private readonly Device _device;

    /// <summary>Creates a scorer; puts <paramref name="network"/> into eval mode.</summary>
    /// <param name="network">Maps N x C x H x W to N x K logits.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="classCount">K.</param>
    /// <param name="device">Where the network's parameters live.</param>
    public NetworkScorer(CnnNetwork network, int channels, int height, int width, int classCount, Device device)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        _network.eval();
        _imageDims = [channels, height, width];
        _device = device;
        InputSize = channels * height * width;
        ClassCount = classCount;
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => _network.Dispose();

    /// <summary>The network that scores (ONNX export writes it).</summary>
    public CnnNetwork Network => _network;

    /// <summary>Floats per image (C x H x W).</summary>
    public int InputSize { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>
    /// Scores the first <paramref name="count"/> images of <paramref name="inputs"/> (image after image, planar CHW) and
    /// writes <paramref name="count"/> x K probabilities into <paramref name="scores"/>.
    /// </summary>
    public void Score(float[] inputs, int count, float[] scores)
    {
        if (count <= 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var x = count * InputSize == inputs.Length
            ? tensor(inputs, [count, .. _imageDims])
            : tensor(inputs.AsSpan(0, count * InputSize).ToArray(), [count, .. _imageDims]);
        if (_device.type != DeviceType.CPU)
        {
            x = x.to(_device);
        }

        var logits = _network.call(x);
        if (logits.shape.Length != 2 || logits.shape[0] != count || logits.shape[1] != ClassCount)
        {
            throw new InvalidOperationException($"The network returned shape [{string.Join(", ", logits.shape)}], expected [{count}, {ClassCount}].");
        }

        var probabilities = nn.functional.softmax(logits, 1).cpu();
        probabilities.data<float>().CopyTo(scores, 0);
    }
}
