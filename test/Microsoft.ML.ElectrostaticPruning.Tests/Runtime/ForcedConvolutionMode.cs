namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

/// <summary>Forces a convolution mode for the process and restores the previous setting on dispose (tests that use it run alone).</summary>
internal sealed class ForcedConvolutionMode : IDisposable
{
    private readonly ConvolutionKernelMode? _previous;

    public ForcedConvolutionMode(ConvolutionKernelMode mode)
    {
        _previous = ConvolutionKernels.ForcedMode;
        ConvolutionKernels.ForcedMode = mode;
    }

    public void Dispose() => ConvolutionKernels.ForcedMode = _previous;
}
