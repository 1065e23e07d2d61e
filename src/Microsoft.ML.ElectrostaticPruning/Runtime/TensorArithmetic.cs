using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>
/// Tensor arithmetic with C# numbers that keeps every <c>Scalar</c> alive until libtorch has read it (see
/// <see cref="CachedScalars"/>). Each method runs the same libtorch operation as TorchSharp's operator or overload it
/// replaces (<c>a + b</c> is <c>add(b, alpha 1)</c>, <c>t * 2.0</c> is <c>mul(2.0)</c>, <c>square()</c> is <c>pow(2)</c>),
/// so results are bit-identical.
/// </summary>
internal static class TensorArithmetic
{
    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, UnitAlpha(a, b));

    /// <summary><c>a += b</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, UnitAlpha(a, b));

    /// <summary><c>a + value</c>.</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.add(scalar, CachedScalars.One);
    }

    /// <summary><c>a * value</c>.</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.mul(scalar);
    }

    /// <summary><c>a *= value</c>, in place.</summary>
    public static Tensor TimesInPlace(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.mul_(scalar);
    }

    /// <summary><c>a * value</c> for an integer tensor (an integer Scalar, so the result stays integer).</summary>
    public static Tensor Times(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.mul(scalar);
    }

    /// <summary><c>a / value</c>.</summary>
    public static Tensor DividedBy(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.div(scalar);
    }

    /// <summary><c>a²</c> (libtorch's <c>pow(a, 2)</c>, what <c>square()</c> runs).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(CachedScalars.Two);

    /// <summary><c>max(a, minimum)</c> element-wise.</summary>
    public static Tensor AtLeast(this Tensor a, double minimum)
    {
        using var scalar = minimum.ToScalar();
        return a.clamp_min(scalar);
    }

    /// <summary><c>max(a, minimum)</c> element-wise, in place.</summary>
    public static Tensor AtLeastInPlace(this Tensor a, double minimum)
    {
        using var scalar = minimum.ToScalar();
        return a.clamp_min_(scalar);
    }

    /// <summary>Sets <c>a[index]</c> along <paramref name="dimension"/> to 0, in place.</summary>
    public static Tensor ZeroAt(this Tensor a, long dimension, Tensor index) =>
        a.index_fill_(dimension, index, a.is_floating_point() ? CachedScalars.Zero : CachedScalars.IntegerZero);

    /// <summary><c>a > value</c> element-wise.</summary>
    public static Tensor GreaterThan(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.gt(scalar);
    }

    // libtorch refuses a floating-point alpha when the sum is an integer tensor.
    private static Scalar UnitAlpha(Tensor a, Tensor b) =>
        a.is_floating_point() || b.is_floating_point() ? CachedScalars.One : CachedScalars.IntegerOne;

    /// <summary><c>0, 1, ..., count - 1</c> as a 64-bit integer tensor on <paramref name="device"/>.</summary>
    public static Tensor Range(long count, Device? device = null)
    {
        using var start = 0L.ToScalar();
        using var stop = count.ToScalar();
        return arange(start, stop, CachedScalars.IntegerOne, ScalarType.Int64, device);
    }
}
