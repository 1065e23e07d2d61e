using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Thread setup and a description of the machine, printed with every measurement.</summary>
internal static class RunEnvironment
{
    /// <summary>Sets libtorch's intra-op threads when <paramref name="threads"/> is positive.</summary>
    public static void ApplyThreads(int threads)
    {
        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>
    /// e.g. "Intel(R) Xeon(R) Processor, 2 cores, 2 torch threads, Linux 6.1 (Debian GNU/Linux 12), .NET 10.0.0, CPU only;
    /// libtorch from /app/runtimes/linux-x64/native; convolutions: standard (by the self-check; conv self-check: NCHW 1.1e-7, …)".
    /// </summary>
    public static string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{CpuModel()}, {Environment.ProcessorCount} cores, {torch.get_num_threads()} torch threads, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {(torch.cuda.is_available() ? "CUDA available" : "CPU only")}; {Microsoft.ML.ElectrostaticPruning.LibTorch.Description}; {Microsoft.ML.ElectrostaticPruning.ConvolutionKernels.Description}");

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
}
