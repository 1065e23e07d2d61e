using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>
/// Scalars that live for the whole process, for the constants the library passes to TorchSharp.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 frees a <c>Scalar</c> in its finalizer, and a method such as <c>Tensor.add_(Tensor, Scalar)</c> keeps no
/// reference to its argument once it has read the native handle: a temporary (<c>t * 2.0</c>, <c>add_(x)</c> with its
/// implicit alpha 1) can be freed by a garbage collection on another thread while libtorch still reads it. Every Scalar the
/// library hands to TorchSharp is therefore one of these, or a <c>using</c> local that lives until the call returns
/// (build/ScalarLifetimeAnalyzer enforces this at build time). Their native memory (a few bytes each) is never freed.
/// </remarks>
internal static class CachedScalars
{
    /// <summary>1.0, the alpha of a plain sum of floating-point tensors (what <c>a + b</c> passes).</summary>
    public static readonly Scalar One = 1.0.ToScalar();

    /// <summary>-1.0, the alpha of a difference of floating-point tensors.</summary>
    public static readonly Scalar MinusOne = (-1.0).ToScalar();

    /// <summary>0.0 (fills of floating-point tensors).</summary>
    public static readonly Scalar Zero = 0.0.ToScalar();

    /// <summary>2.0, the exponent of a square.</summary>
    public static readonly Scalar Two = 2.0.ToScalar();

    /// <summary>1 as an integer, for integer tensors (libtorch refuses a floating-point alpha there): counters, index arithmetic.</summary>
    public static readonly Scalar IntegerOne = 1L.ToScalar();

    /// <summary>0 as an integer, for fills of integer tensors.</summary>
    public static readonly Scalar IntegerZero = 0L.ToScalar();
}
