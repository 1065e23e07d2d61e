using Microsoft.ML.ElectrostaticPruning.Regularization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Regularization;

/// <summary>The penalties that act through the BatchNorm scale: network slimming and the force on folded charges.</summary>
public sealed class BatchNormPenaltyTests
{
    // Filters with L1 norms 4, 2, 1 and raw signs +, +, -; gamma 1, 0.5, 3; running variance + eps = 4, 1, 1: folded
    // magnitudes m = ||W||_1 |gamma| / sqrt(var + eps) = 2, 1, 3 and charges +2, +1, -3.
    private static (Tensor Weight, TorchSharp.Modules.BatchNorm2d BatchNorm) Layer()
    {
        var weight = tensor(new double[] { 3, 1, 1, 1, -0.5, -0.5 }, [3, 1, 1, 2], dtype: ScalarType.Float64);
        var batchNorm = nn.BatchNorm2d(3, dtype: ScalarType.Float64);
        using (no_grad())
        {
            batchNorm.weight!.copy_(tensor(new double[] { 1, 0.5, 3 }, dtype: ScalarType.Float64));
            batchNorm.running_var!.copy_(tensor(new double[] { 4, 1, 1 }, dtype: ScalarType.Float64) - batchNorm.eps);
        }

        return (weight, batchNorm);
    }

    [Fact]
    public void TheFoldedForceIsEquationSevenOnFoldedChargesWithAGradientOnGammaOnly()
    {
        using var scope = NewDisposeScope();
        var (weight, batchNorm) = Layer();
        weight.requires_grad_(true);

        // Charges q = +2, +1, -3: the source is filter 2 (|q| = 3); r = 5 and 4; rates |q_1| / r^2 = 3/25 and 3/16.
        var penalty = ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, forceScale: 1);
        penalty.backward();

        Assert.Equal((2 * 3.0 / 25) + (1 * 3.0 / 16), penalty.item<double>(), 12);
        // d/dgamma_n of m_n * rate_n = rate_n * ||W_n||_1 / sqrt(var_n + eps) * sign(gamma_n): 3/25 * 4/2, 3/16 * 2/1, 0.
        Assert.Equal(new[] { 3.0 / 25 * 2, 3.0 / 16 * 2, 0 }, batchNorm.weight!.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Null(weight.grad);
    }

    [Fact]
    public void TheTargetedFoldedForceActsOnTheWeakestFiltersOnlyWithTheUntargetedRates()
    {
        using var scope = NewDisposeScope();
        var (weight, batchNorm) = Layer();

        // Magnitudes 2, 1, 3: one target is filter 1, two targets are filters 1 and 0.
        ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: 1).backward();
        double[] one = batchNorm.weight!.grad!.data<double>().ToArray();
        batchNorm.weight.grad.zero_();
        var two = ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: 2);
        two.backward();

        Assert.Equal(new[] { 0, 3.0 / 16 * 2, 0 }, one, new ToleranceComparer(1e-12));
        Assert.Equal(new[] { 3.0 / 25 * 2, 3.0 / 16 * 2, 0 }, batchNorm.weight.grad.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(0, ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: 0).item<double>());
    }

    [Fact]
    public void TargetsRankedByTheRawNormAreTheFiltersThePapersPruningRemoves()
    {
        using var scope = NewDisposeScope();
        var (weight, batchNorm) = Layer();

        // Raw L1 norms 4, 2, 1: one target is filter 2, the folded source, which feels no force; two add filter 1.
        ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: 1, targetByRawNorm: true).backward();
        double[] one = batchNorm.weight!.grad!.data<double>().ToArray();
        batchNorm.weight.grad.zero_();
        ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: 2, targetByRawNorm: true).backward();

        Assert.Equal(new double[] { 0, 0, 0 }, one);
        Assert.Equal(new[] { 0, 3.0 / 16 * 2, 0 }, batchNorm.weight.grad.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void ATargetCountOutsideZeroToTheFilterCountIsRejected(int count)
    {
        using var scope = NewDisposeScope();
        var (weight, batchNorm) = Layer();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: count));

        Assert.Equal("targetCount", error.ParamName);
        Assert.Contains("[0, 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkSlimmingIsTheRateTimesTheSumOfAbsoluteGammasOfEveryRegularizedLayer()
    {
        using var scope = NewDisposeScope();
        var (weight, batchNorm) = Layer();
        var (otherWeight, other) = Layer();
        using (no_grad())
        {
            other.weight!.copy_(tensor(new double[] { -1, 0, 2 }, dtype: ScalarType.Float64));
        }

        var penalty = NetworkSlimmingRegularizer.For([batchNorm, other], 0.01).Penalty([weight, otherWeight]);
        penalty.backward();

        Assert.Equal(0.01 * (4.5 + 3), penalty.item<double>(), 12);
        Assert.Equal(new[] { -0.01, 0, 0.01 }, other.weight!.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void TargetCountsMustMatchTheRegularizedLayers()
    {
        using var scope = NewDisposeScope();
        var (_, batchNorm) = Layer();

        var error = Assert.Throws<ArgumentException>(() => FoldedForceRegularizer.For([batchNorm], 1, [1, 2]));

        Assert.Equal("targetCounts", error.ParamName);
        Assert.Contains("(1), got 2", error.Message, StringComparison.Ordinal);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
