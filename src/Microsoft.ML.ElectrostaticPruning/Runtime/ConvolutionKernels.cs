using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Makes sure convolutions compute correctly on the machine at hand. Before the first network is built, trained or
/// scored, a self-check (<see cref="Check"/>, a few milliseconds) compares small float32 convolutions, forward and
/// backward, with float64. libtorch 2.10's oneDNN 3.7 corrupts NCHW convolutions whose channel counts have a partial
/// 16-channel block (exactly what pruning produces) on machines that report degenerate cache sizes, such as cloud VMs
/// whose CPUID cache leaf reads zero; there the library switches to <see cref="ConvolutionKernelMode.ChannelsLast"/>
/// (correct and as fast) and prints one warning line on standard error. On a healthy machine nothing changes. The check
/// also switches NNPACK off, whose "Could not initialize NNPACK" lines libtorch would otherwise print on CPUs it does
/// not support.
/// </summary>
/// <remarks>
/// The mode can be forced with <see cref="ForcedMode"/> or the environment variable <c>ELECTROSTATIC_PRUNING_CONV_MODE</c>
/// (<c>auto</c> (default), <c>standard</c>, <c>channels-last</c>, <c>native</c>); the property wins over the variable.
/// A forced mode applies to networks built after it is set.
/// </remarks>
public static class ConvolutionKernels
{
    /// <summary>The environment variable that forces a mode: <c>auto</c>, <c>standard</c>, <c>channels-last</c> or <c>native</c>.</summary>
    public const string ModeVariable = "ELECTROSTATIC_PRUNING_CONV_MODE";

    private static readonly Lock Gate = new();
    private static ConvolutionKernelCheck? _check;
    private static ConvolutionKernelMode _mode;
    private static ConvolutionKernelMode? _forcedMode;
    private static bool _forcedByProperty;
    private static string? _warning;

    /// <summary>Which layout or kernels a probe measures.</summary>
    internal enum ProbeTarget
    {
        /// <summary>NCHW with oneDNN.</summary>
        Standard,

        /// <summary>Channels-last with oneDNN.</summary>
        ChannelsLast,

        /// <summary>NCHW with oneDNN switched off.</summary>
        Native,
    }

    /// <summary>The self-check's result; runs the check on first use (once per process, thread-safe).</summary>
    /// <exception cref="InvalidOperationException">No kernel computed correctly and no mode is forced.</exception>
    public static ConvolutionKernelCheck Check
    {
        get
        {
            EnsureReady();
            return _check!;
        }
    }

    /// <summary>The mode in effect: the forced one, else the self-check's <see cref="ConvolutionKernelCheck.RecommendedMode"/>.</summary>
    /// <exception cref="InvalidOperationException">No kernel computed correctly and no mode is forced.</exception>
    public static ConvolutionKernelMode Mode
    {
        get
        {
            EnsureReady();
            return _mode;
        }
    }

    /// <summary>
    /// Forces a mode for the process (null: automatic, or the environment variable if set). Set it before building
    /// networks: networks built earlier keep the layout they were built with.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="ConvolutionKernelMode"/>.</exception>
    public static ConvolutionKernelMode? ForcedMode
    {
        get
        {
            lock (Gate)
            {
                return _forcedByProperty ? _forcedMode : null;
            }
        }

        set
        {
            if (value is { } m && !Enum.IsDefined(m))
            {
                throw new ArgumentOutOfRangeException(nameof(value), m, "ForcedMode must be Standard, ChannelsLast, NativeKernels or null (automatic).");
            }

            lock (Gate)
            {
                _forcedByProperty = value is not null;
                _forcedMode = value ?? ModeFromEnvironment();
                if (_check is not null)
                {
                    var decision = Decide(_check, _forcedMode, ForcedBy());
                    Apply(decision);
                    if (decision.Warning is { } line)
                    {
                        Console.Error.WriteLine(line);
                    }
                }
            }
        }
    }

    /// <summary>The warning printed when the mode differs from the standard one or a forced mode was found wrong; null otherwise.</summary>
    public static string? Warning
    {
        get
        {
            EnsureReady();
            return _warning;
        }
    }

    /// <summary>One line for logs and summaries, e.g. <c>convolutions: standard (conv self-check: NCHW 1.1e-7, …)</c>.</summary>
    public static string Description
    {
        get
        {
            EnsureReady();
            lock (Gate)
            {
                string how = _forcedMode is null ? "by the self-check" : $"forced by {ForcedBy()}";
                return $"convolutions: {Name(_mode)} ({how}; {_check})";
            }
        }
    }

    /// <summary>
    /// Runs the self-check and applies the mode, once per process; later calls return at once. The library calls it
    /// before it builds, trains or scores a network.
    /// </summary>
    /// <exception cref="InvalidOperationException">No kernel computed correctly and no mode is forced.</exception>
    internal static void EnsureReady()
    {
        if (Volatile.Read(ref _check) is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (_check is not null)
            {
                return;
            }

            // Before the first convolution: NNPACK prints a warning line per conv on CPUs it does not support, and
            // libtorch's oneDNN path is at least as fast on every CPU this library targets.
            AtenContext.SetNnpackEnabled(false);
            if (!_forcedByProperty)
            {
                _forcedMode = ModeFromEnvironment();
            }

            var measured = Measure(Probe);
            var decision = Decide(measured, _forcedMode, ForcedBy());
            Apply(decision);
            Volatile.Write(ref _check, measured);
            if (decision.Warning is { } line)
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// Routes every conv of <paramref name="network"/> through channels-last input when the mode is
    /// <see cref="ConvolutionKernelMode.ChannelsLast"/>; does nothing otherwise, or if it already does.
    /// </summary>
    internal static void Prepare(CnnNetwork network)
    {
        if (Mode == ConvolutionKernelMode.ChannelsLast)
        {
            network.RouteConvolutionsChannelsLast();
        }
    }

    /// <summary>Runs the probes: both oneDNN layouts, and the native kernels only when both of those fail.</summary>
    internal static ConvolutionKernelCheck Measure(Func<ProbeTarget, double> probe)
    {
        // libtorch's one-time start-up (thread pools, allocator) is paid by whatever operation comes first; pay it here
        // so that Elapsed is the check's own cost.
        using (var warmUp = torch.ones(1))
        {
            warmUp.add_(CachedScalars.One, CachedScalars.One);
        }

        long started = Stopwatch.GetTimestamp();
        double standard = probe(ProbeTarget.Standard);
        double channelsLast = probe(ProbeTarget.ChannelsLast);
        double? native = standard <= ConvolutionKernelCheck.Tolerance || channelsLast <= ConvolutionKernelCheck.Tolerance
            ? null
            : probe(ProbeTarget.Native);
        return new ConvolutionKernelCheck(standard, channelsLast, native, Stopwatch.GetElapsedTime(started), torch.get_num_threads());
    }

    /// <summary>The mode and the warning line for a check result and an optional forced mode.</summary>
    /// <exception cref="InvalidOperationException">No kernel computed correctly and no mode is forced.</exception>
    internal static Decision Decide(ConvolutionKernelCheck result, ConvolutionKernelMode? forced, string forcedBy)
    {
        if (forced is { } chosen)
        {
            bool wrong = chosen switch
            {
                ConvolutionKernelMode.Standard => !result.StandardIsCorrect,
                ConvolutionKernelMode.ChannelsLast => !result.ChannelsLastIsCorrect,
                _ => result.NativeError is not null && !result.NativeIsCorrect,
            };
            return new Decision(chosen, wrong
                ? $"warning: ElectrostaticPruning: {forcedBy} forces {Name(chosen)} convolutions, which the self-check found WRONG on this machine ({result}); results will be wrong."
                : null);
        }

        string cause = string.Create(
            CultureInfo.InvariantCulture,
            $"libtorch's oneDNN computes wrong NCHW convolutions on this CPU ({result}; a known oneDNN 3.7 defect on VMs whose CPUID cache leaf reads zero)");
        return result.RecommendedMode switch
        {
            ConvolutionKernelMode.Standard => new Decision(ConvolutionKernelMode.Standard, null),
            ConvolutionKernelMode.ChannelsLast => new Decision(
                ConvolutionKernelMode.ChannelsLast,
                $"warning: ElectrostaticPruning: {cause}, so convolutions run channels-last (1x1 ones NCHW), which computed correctly. Set {ModeVariable}=channels-last to silence this line."),
            ConvolutionKernelMode.NativeKernels => new Decision(
                ConvolutionKernelMode.NativeKernels,
                $"warning: ElectrostaticPruning: {cause}, and channels-last ones too, so oneDNN is switched off: convolutions run on libtorch's native kernels (correct, several times slower). Set {ModeVariable}=native to silence this line."),
            _ => throw new InvalidOperationException(
                $"No convolution kernel computes correctly on this machine ({result}): NCHW and channels-last oneDNN kernels and libtorch's native kernels all differ from float64. Set {ModeVariable} to standard, channels-last or native to run anyway, at the risk of wrong results."),
        };
    }

    /// <summary>Parses <paramref name="value"/> as the environment variable's value; null for auto or empty.</summary>
    /// <exception cref="InvalidOperationException">The value is not one of auto, standard, channels-last, native.</exception>
    internal static ConvolutionKernelMode? ParseMode(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => null,
        "standard" => ConvolutionKernelMode.Standard,
        "channels-last" or "channelslast" => ConvolutionKernelMode.ChannelsLast,
        "native" or "nativekernels" => ConvolutionKernelMode.NativeKernels,
        _ => throw new InvalidOperationException($"Environment variable {ModeVariable} is '{value}'; expected auto, standard, channels-last or native."),
    };

    private static ConvolutionKernelMode? ModeFromEnvironment() => ParseMode(Environment.GetEnvironmentVariable(ModeVariable));

    private static string ForcedBy() => _forcedByProperty
        ? "ConvolutionKernels.ForcedMode"
        : $"{ModeVariable}={Environment.GetEnvironmentVariable(ModeVariable)}";

    private static void Apply(Decision decision)
    {
        _mode = decision.Mode;
        _warning = decision.Warning;
        AtenContext.SetMkldnnEnabled(decision.Mode != ConvolutionKernelMode.NativeKernels);
    }

    private static double Probe(ProbeTarget target)
    {
        switch (target)
        {
            case ProbeTarget.Standard:
                return ConvolutionProbe.WorstRelativeError(channelsLast: false);
            case ProbeTarget.ChannelsLast:
                return ConvolutionProbe.SafeModeWorstRelativeError();
            default:
                if (!AtenContext.SetMkldnnEnabled(false))
                {
                    return double.NaN;
                }

                try
                {
                    return ConvolutionProbe.WorstRelativeError(channelsLast: false);
                }
                finally
                {
                    AtenContext.SetMkldnnEnabled(true);
                }
        }
    }

    private static string Name(ConvolutionKernelMode m) => m switch
    {
        ConvolutionKernelMode.Standard => "standard",
        ConvolutionKernelMode.ChannelsLast => "channels-last (safe mode)",
        _ => "native kernels (oneDNN off)",
    };

    /// <summary>A chosen mode and the warning to print, if any.</summary>
    internal readonly record struct Decision(ConvolutionKernelMode Mode, string? Warning);
}
