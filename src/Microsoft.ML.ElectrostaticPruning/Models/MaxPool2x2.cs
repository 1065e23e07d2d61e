using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// 2x2 max-pooling with stride 2. In the trainable form it is libtorch's <c>max_pool2d</c> (what <c>nn.MaxPool2d(2)</c>
/// runs, forward and backward). In the inference form, on a channels-last (NHWC-strided) input with even height and
/// width, it takes the maximum of row pairs and then of column pairs as two element-wise ops on contiguous slices:
/// libtorch's channels-last pooling kernel vectorizes over channels in blocks of 16 and runs the remainder scalar, which
/// makes pruned widths such as 22 or 89 channels slow. The outputs are identical either way (a maximum involves no
/// rounding); the gradients are not (the element-wise maximum splits a tie), which is why training never takes that path.
/// </summary>
internal sealed class MaxPool2x2 : nn.Module<Tensor, Tensor>
{
    private readonly bool _inference;

    /// <summary>Creates the pooling module for the trainable form or, with <paramref name="inference"/>, for the folded form.</summary>
    public MaxPool2x2(bool inference = true)
        : base(nameof(MaxPool2x2))
    {
        _inference = inference;
    }

    /// <summary>Whether this is the inference form's pooling (the element-wise path on channels-last input).</summary>
    public bool IsInferenceForm => _inference;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        long n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
        if (!_inference || !ChannelsLast.Is(input) || h % 2 != 0 || w % 2 != 0)
        {
            return nn.functional.max_pool2d(input, 2);
        }

        using var scope = NewDisposeScope();
        var rows = input.permute(0, 2, 3, 1).view(n, h / 2, 2, w * c);
        var rowMax = maximum(rows.select(2, 0), rows.select(2, 1));
        var columns = rowMax.view(n, h / 2, w / 2, 2 * c);
        var pooled = maximum(columns.narrow(3, 0, c), columns.narrow(3, c, c));
        return pooled.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }
}
