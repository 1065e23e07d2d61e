using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Regularization;

/// <summary>A penalty on the weights of selected convolution layers, added to the data loss.</summary>
internal interface IWeightRegularizer
{
    /// <summary>Which regularizer this is.</summary>
    RegularizerKind Kind { get; }

    /// <summary>
    /// The scalar penalty term for <paramref name="weights"/> (each <c>[N, C, k, k]</c>); add it to the loss before
    /// <c>backward()</c>. Its value is the penalty to report. Owned by the caller's dispose scope.
    /// </summary>
    Tensor Penalty(IReadOnlyList<Tensor> weights);
}
