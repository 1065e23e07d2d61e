using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// A per-channel input normalization applied by the network itself before its first convolution:
/// <c>x' = (x − Mean[c]) / Std[c]</c> for channel c, in float32, as torchvision's <c>transforms.Normalize</c> computes it.
/// Pretrained PyTorch networks expect it (torchvision's ImageNet weights: <see cref="ImageNet"/>, on pixels scaled to
/// [0, 1]); ML.NET's <c>ExtractPixels</c> has one offset and one scale for all channels, so it cannot express it.
/// The network keeps it through copying, pruning, BatchNorm folding, saving and ONNX export (a Sub and a Div node).
/// </summary>
public sealed class InputNormalization : IEquatable<InputNormalization>
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates the normalization for <paramref name="mean"/>.Count channels.</summary>
    /// <param name="mean">Value subtracted from each channel; finite.</param>
    /// <param name="std">Divisor of each channel; finite and greater than 0.</param>
    /// <exception cref="ArgumentException">The lists are empty, differ in length, or hold a value outside those ranges.</exception>
    public InputNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"An input normalization needs one mean and one standard deviation per channel; got {mean.Count} means and {std.Count} standard deviations.", nameof(std));
        }

        for (int c = 0; c < mean.Count; c++)
        {
            if (!float.IsFinite(mean[c]))
            {
                throw new ArgumentException($"Mean of channel {c} is {mean[c].ToString(CultureInfo.InvariantCulture)}; it must be finite.", nameof(mean));
            }

            if (!float.IsFinite(std[c]) || std[c] <= 0)
            {
                throw new ArgumentException($"Standard deviation of channel {c} is {std[c].ToString(CultureInfo.InvariantCulture)}; it must be finite and greater than 0.", nameof(std));
            }
        }

        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>torchvision's ImageNet statistics (RGB): mean 0.485, 0.456, 0.406 and std 0.229, 0.224, 0.225, for pixels in [0, 1].</summary>
    public static InputNormalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>Per-channel values subtracted first.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel divisors applied after the subtraction.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>Number of channels it applies to; the network's input must have as many.</summary>
    public int Channels => _mean.Length;

    /// <summary>Whether both normalizations have the same channels and bit-identical values.</summary>
    public bool Equals(InputNormalization? other) =>
        other is not null && _mean.AsSpan().SequenceEqual(other._mean) && _std.AsSpan().SequenceEqual(other._std);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as InputNormalization);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (float value in _mean.Concat(_std))
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    /// <summary>"mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]" (invariant culture, round-trip precision).</summary>
    public override string ToString() => $"mean [{Format(_mean)}], std [{Format(_std)}]";

    private static string Format(float[] values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
