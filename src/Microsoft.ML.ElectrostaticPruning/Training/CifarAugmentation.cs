namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// CIFAR-style augmentation on float arrays: zero-pad by <see cref="Padding"/> pixels, crop back to the original size
/// at a random offset, flip horizontally with probability 1/2. Done while a batch is assembled, with no tensor ops.
/// </summary>
internal static class CifarAugmentation
{
    /// <summary>Zero padding on each side, in pixels.</summary>
    public const int Padding = 4;

    /// <summary>Writes a randomly cropped and flipped copy of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, ImageShape shape, Random random)
    {
        int offsetY = random.Next((2 * Padding) + 1);
        int offsetX = random.Next((2 * Padding) + 1);
        bool flip = random.Next(2) == 1;
        CropAndFlip(source, destination, shape, offsetY, offsetX, flip);
    }

    /// <summary>
    /// <c>destination[c, y, x] = padded[c, y + offsetY, x' + offsetX]</c> with <c>x' = flip ? W-1-x : x</c>, where
    /// <c>padded</c> is <paramref name="source"/> zero-padded by <see cref="Padding"/>; offsets are in [0, 2*Padding].
    /// </summary>
    public static void CropAndFlip(ReadOnlySpan<float> source, Span<float> destination, ImageShape shape, int offsetY, int offsetX, bool flip)
    {
        int height = shape.Height, width = shape.Width, plane = height * width;
        int shiftY = offsetY - Padding, shiftX = offsetX - Padding;
        for (int c = 0; c < shape.Channels; c++)
        {
            var sourcePlane = source.Slice(c * plane, plane);
            var destinationPlane = destination.Slice(c * plane, plane);
            for (int y = 0; y < height; y++)
            {
                var row = destinationPlane.Slice(y * width, width);
                int sourceY = y + shiftY;
                if ((uint)sourceY >= (uint)height)
                {
                    row.Clear();
                    continue;
                }

                var sourceRow = sourcePlane.Slice(sourceY * width, width);
                for (int x = 0; x < width; x++)
                {
                    int sourceX = (flip ? width - 1 - x : x) + shiftX;
                    row[x] = (uint)sourceX < (uint)width ? sourceRow[sourceX] : 0f;
                }
            }
        }
    }
}
