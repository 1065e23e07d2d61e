using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// The outcome of the once-per-process convolution self-check (<see cref="ConvolutionKernels.Check"/>): a small 3x3
/// convolution whose channel counts have partial 16-channel blocks (4x38x8x8 → 22; for safe mode also its 1x1
/// stride-2 form), run forward and backward in float32 through the kernels libtorch picks, compared with float64.
/// </summary>
/// <remarks>
/// An error is <c>max |float32 − float64| / max |float64|</c> over the output, the input gradient and the weight gradient,
/// the worst of the probed convolutions; a healthy machine gives about 1e-7, and the oneDNN defect this guards against gives
/// 1e-1 or NaN. <see cref="Tolerance"/> separates the two.
/// </remarks>
public sealed class ConvolutionKernelCheck
{
    /// <summary>Largest relative error that counts as correct: 1e-4.</summary>
    public const double Tolerance = 1e-4;

    internal ConvolutionKernelCheck(double standardError, double channelsLastError, double? nativeError, TimeSpan elapsed, int threads)
    {
        StandardError = standardError;
        ChannelsLastError = channelsLastError;
        NativeError = nativeError;
        Elapsed = elapsed;
        Threads = threads;
    }

    /// <summary>Worst relative error of the default (NCHW) layout with oneDNN; NaN if the kernels produced NaN.</summary>
    public double StandardError { get; }

    /// <summary>Worst relative error with input and weights channels-last (safe mode); NaN if the kernels produced NaN.</summary>
    public double ChannelsLastError { get; }

    /// <summary>Worst relative error with oneDNN switched off; null unless both oneDNN layouts failed and the native kernels were probed.</summary>
    public double? NativeError { get; }

    /// <summary>Whether the default layout computed correctly.</summary>
    public bool StandardIsCorrect => IsCorrect(StandardError);

    /// <summary>Whether the channels-last layout computed correctly.</summary>
    public bool ChannelsLastIsCorrect => IsCorrect(ChannelsLastError);

    /// <summary>Whether libtorch's native kernels computed correctly (false when they were not probed).</summary>
    public bool NativeIsCorrect => NativeError is { } error && IsCorrect(error);

    /// <summary>How long the check took (its own cost: libtorch's one-time start-up, paid by any first operation, is not included).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>libtorch intra-op threads the check ran with.</summary>
    public int Threads { get; }

    /// <summary>
    /// The fastest mode that computed correctly: <see cref="ConvolutionKernelMode.Standard"/> on a healthy machine, then
    /// <see cref="ConvolutionKernelMode.ChannelsLast"/>, then <see cref="ConvolutionKernelMode.NativeKernels"/>; null when
    /// none did.
    /// </summary>
    public ConvolutionKernelMode? RecommendedMode =>
        StandardIsCorrect ? ConvolutionKernelMode.Standard
        : ChannelsLastIsCorrect ? ConvolutionKernelMode.ChannelsLast
        : NativeIsCorrect ? ConvolutionKernelMode.NativeKernels
        : null;

    /// <summary>One line, e.g. <c>conv self-check: NCHW 1.2e-7, channels-last 9.8e-8 (correct), 2 threads, 31 ms</c>.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string native = NativeError is { } n ? string.Create(c, $", native {Format(n)}") : string.Empty;
        string verdict = StandardIsCorrect ? "correct" : "NCHW WRONG";
        return string.Create(c, $"conv self-check: NCHW {Format(StandardError)}, channels-last {Format(ChannelsLastError)}{native} ({verdict}), {Threads} threads, {Elapsed.TotalMilliseconds:F0} ms");
    }

    private static bool IsCorrect(double error) => error <= Tolerance;

    private static string Format(double error) => double.IsNaN(error) ? "NaN" : error.ToString("0.0e+0", CultureInfo.InvariantCulture);
}
