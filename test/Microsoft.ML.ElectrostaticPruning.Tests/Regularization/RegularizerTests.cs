using Microsoft.ML.ElectrostaticPruning.Regularization;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Regularization;

public sealed class RegularizerTests
{
    [Fact]
    public void ElectrostaticPenaltySumsOverLayersWithAlphaTimesCoulombConstant()
    {
        using var scope = NewDisposeScope();
        // Layer A: q = [3, -1] -> F1 = k 3*1/4^2; layer B: q = [2, 1] -> F1 = k 2*1/1^2.
        var a = tensor(new double[] { 2, 1, -0.5, -0.5 }, [2, 1, 1, 2], dtype: ScalarType.Float64).requires_grad_(true);
        var b = tensor(new double[] { 1, 1, 0.5, 0.5 }, [2, 1, 1, 2], dtype: ScalarType.Float64).requires_grad_(true);
        var regularizer = new ElectrostaticForceRegularizer(alpha: 1e-10, coulombConstant: 1e10);

        var penalty = regularizer.Penalty([a, b]);

        Assert.Equal(RegularizerKind.ElectrostaticForce, regularizer.Kind);
        Assert.Equal((3.0 / 16) + 2, penalty.item<double>(), 12);
    }

    [Fact]
    public void L1PenaltyIsRateTimesSumOfAbsoluteWeightsAndItsGradientIsRateTimesSign()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, -2, 0, 3 }, [2, 1, 1, 2]).requires_grad_(true);
        var b = tensor(new float[] { -4 }, [1, 1, 1, 1]).requires_grad_(true);

        var penalty = new L1NormRegularizer().Penalty([a, b]);
        penalty.backward();

        Assert.Equal(0.1f, penalty.item<float>(), 6);
        Assert.Equal(new[] { 0.01f, -0.01f, 0f, 0.01f }, a.grad!.data<float>().ToArray());
        Assert.Equal(-0.01f, b.grad!.item<float>());
    }

    [Theory]
    [InlineData(-1e-12, "alpha")]
    [InlineData(double.NaN, "alpha")]
    public void ANegativeOrNaNAlphaIsRejectedByName(double alpha, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ElectrostaticForceRegularizer(alpha));
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains("1e-11 to 1e-17", error.Message);
    }

    [Fact]
    public void AZeroDistanceGuardIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ElectrostaticForceRegularizer(1e-12, distanceEpsilon: 0));
        Assert.Equal("distanceEpsilon", error.ParamName);
    }

    [Fact]
    public void ANegativeL1RateIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new L1NormRegularizer(-0.1));
        Assert.Equal("rate", error.ParamName);
    }

    [Fact]
    public void AnEmptyLayerListIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new ElectrostaticForceRegularizer(1e-12).Penalty([]));
        Assert.Equal("weights", error.ParamName);
    }
}
