namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>One tensor of a safetensors header.</summary>
/// <param name="Name">The key, e.g. <c>layer1.0.conv1.weight</c>.</param>
/// <param name="DType">The safetensors dtype name, e.g. <c>F32</c> or <c>I64</c>.</param>
/// <param name="Shape">The dimensions; empty for a 0-dim tensor.</param>
/// <param name="Begin">First byte of the data, counted from the end of the header.</param>
/// <param name="End">One past the last byte of the data, counted from the end of the header.</param>
internal sealed record SafetensorsEntry(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>Number of bytes of the data.</summary>
    public long Length => End - Begin;
}
