using Microsoft.ML.ElectrostaticPruning.Models;
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

    [Fact]
    public void TheGradedForceWeightsEachFilterByItsRankAndContainsTheTargetedForceAsASpecialCase()
    {
        using var scope = NewDisposeScope();
        var (weight, batchNorm) = Layer();
        double one = ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: 1).item<double>();
        double two = ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, targetCount: 2).item<double>();

        // Ranks (weakest first): filter 1, filter 0, filter 2 (the source). Full force on rank 0, half on rank 1.
        double graded = ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, rankWeights: [1, 0.5, 0]).item<double>();
        double step = ElectrostaticForce.FoldedLayerPenalty(weight, batchNorm, 1, rankWeights: [1, 1, 0]).item<double>();

        Assert.Equal(one + (0.5 * (two - one)), graded, 12);
        Assert.Equal(two, step, 12);
    }

    [Fact]
    public void RemovalProbabilitiesFallLinearlyFromTheSmallestToTheLargestRatioOfTheRange()
    {
        // Ratio uniform in [0.2, 0.6] over 10 filters: ranks 0-2 always go, rank 3 with 0.75, ..., rank 6 never; the strongest never.
        Assert.Equal(new[] { 1, 1, 1, 0.75, 0.5, 0.25, 0, 0, 0, 0 }, ElectrostaticForce.RemovalProbabilities(10, 0.2, 0.6), new ToleranceComparer(1e-12));
        // One ratio: the targeted force's step at ceil(0.5 * 7) = 4.
        Assert.Equal(new double[] { 1, 1, 1, 1, 0, 0, 0 }, ElectrostaticForce.RemovalProbabilities(7, 0.5, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElectrostaticForce.RemovalProbabilities(10, 0.6, 0.2));
    }

    [Fact]
    public void WithAnyRatioTrainingTheDefaultFoldedForceIsGradedOverTheRangeAndWithoutItTargetsThePlan()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var network = CnnZoo.Create(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);
        var plan = PruningPlan.Parse("0.5 rank folded compensate");
        var layers = plan.LayersToPrune(network);
        using (no_grad())
        {
            foreach (var layer in layers)
            {
                network.GetBatchNorm(layer).weight!.uniform_(0.2, 2);   // distinct folded norms, so the ranking matters
            }
        }

        Tensor[] weights = [.. layers.Select(l => (Tensor)network.GetConv(l).weight!)];
        double scale = ElectrostaticForce.ForceScale(new FoldedForceRegularizer.Options().ForceRate, ElectrostaticForce.DefaultCoulombConstant);
        double Expected(Func<int, IReadOnlyList<double>> rankWeights) => layers.Select((l, i) =>
            ElectrostaticForce.FoldedLayerPenalty(weights[i], network.GetBatchNorm(l), scale, rankWeights: rankWeights(l.OutChannels)).item<float>()).Sum();

        var options = new FoldedForceRegularizer.Options();
        double graded = options.Create(new RegularizationTarget(network, layers, plan, new AnyRatioTrainingOptions())).Penalty(weights).item<float>();
        double targeted = options.Create(new RegularizationTarget(network, layers, plan)).Penalty(weights).item<float>();

        // float32 sums: equal to 1e-6 relative.
        double expectedGraded = Expected(n => ElectrostaticForce.RemovalProbabilities(n, 0.1, 0.7));
        double expectedTargeted = Expected(n => ElectrostaticForce.RemovalProbabilities(n, 0.5, 0.5));
        Assert.InRange(graded, expectedGraded * (1 - 1e-6), expectedGraded * (1 + 1e-6));
        Assert.InRange(targeted, expectedTargeted * (1 - 1e-6), expectedTargeted * (1 + 1e-6));
        Assert.True(Math.Abs(graded - targeted) > 0.01 * targeted, $"graded {graded}, targeted {targeted}");
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
