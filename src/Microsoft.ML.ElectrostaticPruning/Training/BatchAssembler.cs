using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>Copies images of a dataset, in a given order and optionally augmented, into batch tensors.</summary>
internal sealed class BatchAssembler
{
    private readonly ImageDataset _data;
    private readonly float[] _pixels;
    private readonly long[] _labels;

    public BatchAssembler(ImageDataset data, int batchSize)
    {
        _data = data;
        int capacity = Math.Min(batchSize, data.Count);
        _pixels = new float[capacity * data.Shape.Size];
        _labels = new long[capacity];
    }

    /// <summary>
    /// A permutation of 0..N-1 for one epoch, from a Fisher-Yates shuffle driven by <paramref name="random"/>.
    /// </summary>
    public static int[] Shuffle(int count, Random random)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        return order;
    }

    /// <summary>
    /// Input <c>[count, C, H, W]</c> and label <c>[count]</c> tensors on <paramref name="device"/> for the images
    /// <c>order[start .. start+count)</c>; augmented when <paramref name="augmentation"/> is not null. The tensors
    /// belong to the caller's dispose scope.
    /// </summary>
    public (Tensor Inputs, Tensor Labels) Assemble(ReadOnlySpan<int> order, Random? augmentation, Device device)
    {
        var shape = _data.Shape;
        int count = order.Length, size = shape.Size;
        for (int i = 0; i < count; i++)
        {
            int index = order[i];
            var destination = _pixels.AsSpan(i * size, size);
            if (augmentation is null)
            {
                _data.Image(index).CopyTo(destination);
            }
            else
            {
                CifarAugmentation.Apply(_data.Image(index), destination, shape, augmentation);
            }

            _labels[i] = _data.Labels[index];
        }

        // torch.tensor copies the (possibly longer) buffer, so the buffers are reused across steps.
        var inputs = torch.tensor(_pixels, [count, shape.Channels, shape.Height, shape.Width]);
        var labels = torch.tensor(_labels, [count]);
        return device.type == DeviceType.CPU ? (inputs, labels) : (inputs.to(device), labels.to(device));
    }
}
