using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>Applies <see cref="LibTorch.FolderVariable"/> when the library is first used, before any of its code touches TorchSharp.</summary>
internal static class LibTorchModuleInitializer
{
    /// <summary>
    /// Runs once, before the first method of this assembly. With the variable unset it reads one environment variable
    /// and returns. With it set and wrong, it throws: the first use of the library fails with a
    /// <see cref="TypeInitializationException"/> whose inner exception names the folder and the problem, rather than
    /// running silently on another libtorch.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "libtorch must be chosen before TorchSharp loads it; no other hook runs early enough.")]
    internal static void Initialize() => LibTorch.ApplyEnvironment();
}
