namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>The shape of one input image in planar CHW layout.</summary>
/// <param name="Channels">Number of channels (1 for grayscale, 3 for RGB); at least 1.</param>
/// <param name="Height">Height in pixels; at least 1.</param>
/// <param name="Width">Width in pixels; at least 1.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Number of values per image: <c>Channels * Height * Width</c>.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
