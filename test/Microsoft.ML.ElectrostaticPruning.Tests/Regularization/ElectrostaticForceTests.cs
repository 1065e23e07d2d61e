using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Regularization;

/// <summary>
/// Hand-computed checks on a four-filter layer [4, 1, 1, 2]:
/// f0 = [1, -0.5]  m = 1.5, sum = 0.5  -> q = +1.5 (attracted: opposite sign to the source)
/// f1 = [-2, -1]   m = 3,   sum = -3   -> q = -3   (source: largest magnitude)
/// f2 = [0.5, -1.5] m = 2,  sum = -1   -> q = -2   (repelled: same sign as the source)
/// f3 = [1, -1]    m = 2,   sum = 0    -> q = 0    (neutral)
/// r = |q1 - qn| = [4.5, 0, 1, 3]; with k_e = 1: F = [3*1.5/4.5^2, 0, 3*2/1^2, 0] = [2/9, 0, 6, 0].
/// </summary>
public sealed class ElectrostaticForceTests
{
    private static readonly double[] FourFilters = [1, -0.5, -2, -1, 0.5, -1.5, 1, -1];

    private static Tensor Layer(double[] values, long filters, bool requiresGrad = false) =>
        tensor(values, [filters, 1, 1, values.Length / filters], dtype: ScalarType.Float64).requires_grad_(requiresGrad);

    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).data<double>().ToArray();

    [Fact]
    public void ChargesAreSignOfSumTimesL1Norm()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(new[] { 1.5, -3, -2, 0 }, Values(ElectrostaticForce.Charges(Layer(FourFilters, 4))));
    }

    [Fact]
    public void TheSourceIsTheFilterWithTheLargestL1Norm()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(1, ElectrostaticForce.SourceIndex(Layer(FourFilters, 4)));
    }

    [Fact]
    public void ForcesFollowCoulombsLawAndVanishForSourceAndNeutralFilters()
    {
        using var scope = NewDisposeScope();
        var forces = Values(ElectrostaticForce.Forces(Layer(FourFilters, 4), coulombConstant: 1));
        Assert.Equal(2.0 / 9, forces[0], 12);
        Assert.Equal(0, forces[1]);
        Assert.Equal(6, forces[2], 12);
        Assert.Equal(0, forces[3]);

        var scaled = Values(ElectrostaticForce.Forces(Layer(FourFilters, 4)));
        Assert.Equal(8.99e9 * 6, scaled[2], 1e-3);
    }

    [Theory]
    [InlineData(ForceGradientMode.Paper)]
    [InlineData(ForceGradientMode.Exact)]
    public void PenaltyValueIsForceScaleTimesTheSumOfForcesInBothModes(ForceGradientMode mode)
    {
        using var scope = NewDisposeScope();
        var penalty = ElectrostaticForce.LayerPenalty(Layer(FourFilters, 4, requiresGrad: true), forceScale: 0.5, mode);
        Assert.Equal(0.5 * (6 + (2.0 / 9)), penalty.item<double>(), 12);
    }

    [Fact]
    public void PaperModeGradientIsTheClosedFormOfEquation10()
    {
        using var scope = NewDisposeScope();
        var weight = Layer(FourFilters, 4, requiresGrad: true);
        const double scale = 0.5; // alpha_e * k_e
        ElectrostaticForce.LayerPenalty(weight, scale, ForceGradientMode.Paper).backward();

        // dP/dw = alpha_e k_e |q1| / r^2 * sign(w): f0 -> 0.5*3/20.25, f2 -> 0.5*3/1, source and neutral -> 0.
        double c0 = scale * 3 / 20.25, c2 = scale * 3;
        double[] expected = [c0, -c0, 0, 0, c2, -c2, 0, 0];
        var gradient = Values(weight.grad!);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], gradient[i], 12);
        }
    }

    [Fact]
    public void ExactModeGradientMatchesTheAnalyticDerivative()
    {
        using var scope = NewDisposeScope();
        var weight = Layer(FourFilters, 4, requiresGrad: true);
        ElectrostaticForce.LayerPenalty(weight, forceScale: 1, ForceGradientMode.Exact).backward();

        // Repelled f2: dF/dm2 = m1 (m1 + m2) / (m1 - m2)^3 = 3*5/1 = 15.
        // Attracted f0: dF/dm0 = m1 (m1 - m0) / (m1 + m0)^3 = 3*1.5/4.5^3.
        // Source f1: dF2/dm1 + dF0/dm1 = -m2 (m1 + m2)/(m1 - m2)^3 + m0 (m0 - m1)/(m1 + m0)^3 = -10 - 2.25/91.125.
        double g0 = 4.5 / 91.125, g2 = 15, g1 = -10 - (2.25 / 91.125);
        double[] expected = [g0, -g0, -g1, -g1, g2, -g2, 0, 0];
        var gradient = Values(weight.grad!);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], gradient[i], 10);
        }
    }

    [Fact]
    public void ExactModeGradientMatchesFiniteDifferencesOnARandomLayer()
    {
        using var scope = NewDisposeScope();
        var generator = new Random(7);
        double[] values = Enumerable.Range(0, 6 * 2 * 3 * 3).Select(_ => generator.NextDouble() - 0.45).ToArray();
        var weight = tensor(values, [6, 2, 3, 3], dtype: ScalarType.Float64).requires_grad_(true);
        ElectrostaticForce.LayerPenalty(weight, forceScale: 1e-2, ForceGradientMode.Exact).backward();
        var gradient = Values(weight.grad!);

        const double h = 1e-6;
        for (int i = 0; i < values.Length; i++)
        {
            double Penalty(double delta)
            {
                using var inner = NewDisposeScope();
                var copy = (double[])values.Clone();
                copy[i] += delta;
                return ElectrostaticForce.LayerPenalty(tensor(copy, [6, 2, 3, 3], dtype: ScalarType.Float64), 1e-2, ForceGradientMode.Exact).item<double>();
            }

            double numeric = (Penalty(h) - Penalty(-h)) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"weight {i}: autograd {gradient[i]}, finite difference {numeric}");
        }
    }

    [Fact]
    public void TiedMagnitudesChooseTheLowestIndexAsSource()
    {
        using var scope = NewDisposeScope();
        // Three filters with magnitude 3; the source must be filter 0, the opposite-sign twin is attracted at r = 6.
        var layer = Layer([2, 1, -2, -1, 1, 2], 3);
        Assert.Equal(0, ElectrostaticForce.SourceIndex(layer));
        var stats = ElectrostaticForce.Statistics(layer, coulombConstant: 1);
        Assert.Equal([FilterRole.Source, FilterRole.Attracted, FilterRole.Repelled], stats.Roles);
        Assert.Equal(9.0 / 36, stats.Forces[1], 12);
    }

    [Theory]
    [InlineData(ForceGradientMode.Paper)]
    [InlineData(ForceGradientMode.Exact)]
    public void AChargeEqualToTheSourcesUsesTheDistanceGuardInsteadOfDividingByZero(ForceGradientMode mode)
    {
        using var scope = NewDisposeScope();
        // f1 has the same charge as the source f0 (q = 3), so r = 0; the guard makes r_eff = epsilon = 1e-3.
        var weight = Layer([2, 1, 1, 2, 0.25, 0.25], 3, requiresGrad: true);
        var penalty = ElectrostaticForce.LayerPenalty(weight, forceScale: 1, mode, distanceEpsilon: 1e-3);
        penalty.backward();

        // F1 = 3*3/1e-6 = 9e6; F2 = 3*0.5/2.5^2 = 0.24.
        Assert.Equal(9e6 + 0.24, penalty.item<double>(), 6);
        Assert.All(Values(weight.grad!), g => Assert.True(double.IsFinite(g)));
        if (mode == ForceGradientMode.Paper)
        {
            Assert.Equal(3 / 1e-6, Values(weight.grad!)[2], 6);
        }

        Assert.Equal(9e6, ElectrostaticForce.Statistics(weight, coulombConstant: 1, distanceEpsilon: 1e-3).Forces[1], 6);
    }

    [Theory]
    [InlineData(ForceGradientMode.Paper)]
    [InlineData(ForceGradientMode.Exact)]
    public void AnAllZeroLayerHasNoPenaltyNoGradientAndNoNaN(ForceGradientMode mode)
    {
        using var scope = NewDisposeScope();
        var weight = zeros([4, 3, 3, 3], dtype: ScalarType.Float32).requires_grad_(true);
        var penalty = ElectrostaticForce.LayerPenalty(weight, forceScale: 0.0899, mode);
        penalty.backward();

        Assert.Equal(0f, penalty.item<float>());
        Assert.Equal(0f, weight.grad!.abs().max().item<float>());
        var stats = ElectrostaticForce.Statistics(weight);
        Assert.Equal(0, stats.SourceIndex);
        Assert.Equal(3, stats.NeutralCount);
        Assert.Equal(new double[4], stats.NormalizedL1Norms);
        Assert.Equal(new double[4], stats.Forces);
    }

    [Fact]
    public void NeutralFiltersFeelNoForceAndGetNoGradient()
    {
        using var scope = NewDisposeScope();
        var weight = Layer(FourFilters, 4, requiresGrad: true);
        ElectrostaticForce.LayerPenalty(weight, 1, ForceGradientMode.Exact).backward();
        var gradient = Values(weight.grad!);
        Assert.Equal(0, gradient[6]);
        Assert.Equal(0, gradient[7]);
        Assert.Equal(0, ElectrostaticForce.Statistics(weight).Forces[3]);
    }

    [Fact]
    public void StatisticsReportChargesNormsRolesAndCounts()
    {
        using var scope = NewDisposeScope();
        var stats = ElectrostaticForce.Statistics(Layer(FourFilters, 4), "conv", coulombConstant: 1);

        Assert.Equal("conv", stats.LayerName);
        Assert.Equal(1, stats.SourceIndex);
        Assert.Equal([1.5, -3, -2, 0], stats.Charges);
        Assert.Equal([1.5, 3, 2, 2], stats.L1Norms);
        Assert.Equal([0.5, 1, 2.0 / 3, 2.0 / 3], stats.NormalizedL1Norms);
        Assert.Equal([FilterRole.Attracted, FilterRole.Source, FilterRole.Repelled, FilterRole.Neutral], stats.Roles);
        Assert.Equal((1, 1, 1), (stats.RepelledCount, stats.AttractedCount, stats.NeutralCount));
        Assert.Equal(2, stats.MeanL1Norm(FilterRole.Repelled));
        Assert.Equal(1.5, stats.MeanL1Norm(FilterRole.Attracted));
    }

    [Theory]
    [InlineData(1e-17)]
    [InlineData(1e-11)]
    public void PaperAlphasOnRealisticFloat32WeightsGiveFiniteValuesThatMatchDoubleArithmetic(double alpha)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var conv = nn.Conv2d(64, 64, 3);
        var weight = conv.weight!;

        var penalty = new ElectrostaticForceRegularizer(alpha).Penalty([weight]);
        penalty.backward();

        double expected = alpha * ElectrostaticForce.Statistics(weight).Forces.Sum();
        double actual = penalty.item<float>();
        Assert.True(expected > 0);
        Assert.True(Math.Abs(actual - expected) <= 1e-4 * expected, $"float32 penalty {actual}, double {expected}");
        Assert.True(weight.grad!.isfinite().all().item<bool>());
        Assert.True(weight.grad!.abs().max().item<float>() > 0);
    }

    [Fact]
    public void NetworkStatisticsCoverTheRequestedLayersByName()
    {
        using var scope = NewDisposeScope();
        using var network = CnnZoo.Create(CnnArchitecture.ResNet56, new ImageShape(3, 32, 32), 10);
        var prunable = network.ConvLayers.Where(l => l.IsPrunable).ToArray();

        var stats = ElectrostaticForce.Statistics(network, prunable);

        Assert.Equal(27, stats.Count);
        Assert.Equal(prunable.Select(l => l.Name), stats.Select(s => s.LayerName));
        Assert.Equal(prunable.Select(l => l.OutChannels), stats.Select(s => s.FilterCount));
        Assert.All(stats, s => Assert.Equal(s.FilterCount - 1, s.RepelledCount + s.AttractedCount + s.NeutralCount));
    }
}
