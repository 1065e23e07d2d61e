using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// The channels-last memory layout of 4-D tensors (NHWC order in memory for N x C x H x W activations, OHWI for conv
/// weights), which TorchSharp has no memory-format API for. libtorch's oneDNN convolutions, max-pooling and
/// element-wise ops all work natively in it, and a conv whose input or weight is channels-last computes and returns
/// channels-last.
/// </summary>
internal static class ChannelsLast
{
    /// <summary>The same values with channels-last strides (a copy, unless the tensor already has them).</summary>
    public static Tensor From(Tensor tensor) => tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// Whether <paramref name="tensor"/> is a 4-D tensor densely laid out channels-last. As in libtorch, the strides of
    /// size-1 dimensions do not matter (a 1x1 conv weight, a single-channel image, a batch of one).
    /// </summary>
    public static bool Is(Tensor tensor)
    {
        if (tensor.dim() != 4)
        {
            return false;
        }

        long expected = 1;
        foreach (int dimension in (ReadOnlySpan<int>)[1, 3, 2, 0])
        {
            if (tensor.shape[dimension] != 1 && tensor.stride(dimension) != expected)
            {
                return false;
            }

            expected *= tensor.shape[dimension];
        }

        return true;
    }
}
