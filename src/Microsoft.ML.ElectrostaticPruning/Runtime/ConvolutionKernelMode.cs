namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// How the library runs convolutions on the CPU. <see cref="ConvolutionKernels"/> picks the mode once per process from a
/// self-check, unless it is forced through <see cref="ConvolutionKernels.ForcedMode"/> or the
/// <c>ELECTROSTATIC_PRUNING_CONV_MODE</c> environment variable (<c>auto</c>, <c>standard</c>, <c>channels-last</c>,
/// <c>native</c>).
/// </summary>
public enum ConvolutionKernelMode
{
    /// <summary>libtorch's defaults: oneDNN kernels, trainable networks keep their conv weights in NCHW layout.</summary>
    Standard,

    /// <summary>
    /// Safe mode: every conv with a spatial kernel (3x3, 7x7) receives its input channels-last, so oneDNN runs it, forward
    /// and backward, in its channels-last form, which avoids the weight reorder that oneDNN 3.7 (libtorch 2.10) gets wrong
    /// on machines that report degenerate cache sizes (VMs with a zeroed CPUID cache leaf); 1x1 convs run NCHW, the form
    /// that is correct there. Parameters keep their layout; speed is about that of the standard mode.
    /// </summary>
    ChannelsLast,

    /// <summary>
    /// Last resort: oneDNN is switched off for the process (<c>at::Context::setUserEnabledMkldnn(false)</c>), so convs run
    /// on libtorch's native kernels: correct, but several times slower.
    /// </summary>
    NativeKernels,
}
