namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>
/// Labelled images held in memory: <see cref="Features"/> is N x C x H x W (planar CHW per image, images back to
/// back), <see cref="Labels"/> holds class indices 0..K-1.
/// </summary>
internal sealed class ImageDataset
{
    /// <summary>Creates a dataset; the arrays are kept, not copied.</summary>
    /// <param name="features">N x <paramref name="shape"/>.Size values, image after image, each in planar CHW order.</param>
    /// <param name="labels">N class indices, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="shape">Shape of one image; every dimension at least 1.</param>
    /// <param name="classCount">Number of classes; at least 2.</param>
    public ImageDataset(float[] features, int[] labels, ImageShape shape, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (shape.Channels < 1 || shape.Height < 1 || shape.Width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "Every image dimension (channels, height, width) must be at least 1.");
        }

        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classification dataset needs at least 2 classes.");
        }

        if (labels.Length == 0)
        {
            throw new ArgumentException("The dataset must contain at least one image.", nameof(labels));
        }

        if ((long)labels.Length * shape.Size != features.LongLength)
        {
            throw new ArgumentException($"Expected {labels.Length} images x {shape} = {(long)labels.Length * shape.Size} feature values, got {features.LongLength}.", nameof(features));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label of image {i} must be in [0, {classCount - 1}].");
            }
        }

        Features = features;
        Labels = labels;
        Shape = shape;
        ClassCount = classCount;
    }

    /// <summary>All pixels, N x C x H x W.</summary>
    public float[] Features { get; }

    /// <summary>Class index of each image.</summary>
    public int[] Labels { get; }

    /// <summary>Shape of one image.</summary>
    public ImageShape Shape { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>Number of images N.</summary>
    public int Count => Labels.Length;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Features.AsSpan(index * Shape.Size, Shape.Size);

    /// <summary>A copy of <paramref name="count"/> images starting at <paramref name="start"/>.</summary>
    public ImageDataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (count < 1 || start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A slice from image {start} must hold between 1 and {Count - start} images.");
        }

        return new ImageDataset(
            Features.AsSpan(start * Shape.Size, count * Shape.Size).ToArray(),
            Labels.AsSpan(start, count).ToArray(),
            Shape,
            ClassCount);
    }
}
