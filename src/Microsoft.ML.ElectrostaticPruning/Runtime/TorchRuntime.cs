using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>Resolves devices and describes the libtorch runtime the library is bound to.</summary>
internal static class TorchRuntime
{
    /// <summary>Whether a CUDA device is usable by the loaded libtorch build.</summary>
    public static bool CudaAvailable => torch.cuda.is_available();

    /// <summary>Number of intra-op threads libtorch uses.</summary>
    public static int Threads => torch.get_num_threads();
}
