using Microsoft.ML.ElectrostaticPruning.Regularization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Tools;

/// <summary>
/// The public electrostatic penalty. Hand-computed layer [4, 1, 1, 2] (as in ElectrostaticForceTests), k_e = 1:
/// charges q = [+1.5, -3 (source), -2 (repelled), 0 (neutral)], r = [4.5, 0, 1, 3], F = [2/9, 0, 6, 0].
/// </summary>
public sealed class ElectrostaticPenaltyTests
{
    private static readonly double[] FourFilters = [1, -0.5, -2, -1, 0.5, -1.5, 1, -1];

    private static Tensor Layer(double[] values, long filters, bool requiresGrad = true) =>
        tensor(values, [filters, 1, 1, values.Length / filters], dtype: ScalarType.Float64).requires_grad_(requiresGrad);

    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).data<double>().ToArray();

    private static void AssertClose(double[] expected, double[] actual, int precision)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], precision);
        }
    }

    [Fact]
    public void InAPlainTorchSharpTrainingLoopThePenaltyEqualsTheInternalRegularizerAtEveryStep()
    {
        using var scope = NewDisposeScope();
        var random = new Random(5);
        Tensor Random(params long[] shape) =>
            tensor(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() - 0.45)).ToArray(), shape);

        var conv = nn.Conv2d(1, 6, 3);
        var model = nn.Sequential(("conv", conv), ("relu", nn.ReLU()), ("flatten", nn.Flatten()), ("fc", nn.Linear(6 * 4 * 4, 3)));
        using (no_grad())
        {
            conv.weight!.copy_(Random(6, 1, 3, 3));
        }

        var images = Random(8, 1, 6, 6);
        var labels = tensor(Enumerable.Range(0, 8).Select(i => (long)(i % 3)).ToArray());
        var penalty = new ElectrostaticPenalty(forceRate: 1e-11);
        var reference = new ElectrostaticForceRegularizer(1e-11);
        var optimizer = optim.SGD(model.parameters(), 0.05);
        var initial = conv.weight!.detach().clone();

        for (int step = 0; step < 5; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var term = penalty.Compute([conv.weight!]);
            Assert.Equal(0, term.dim());
            Assert.Equal(reference.Penalty([conv.weight!]).item<float>(), term.item<float>());
            Assert.True(term.item<float>() > 0);

            var loss = nn.functional.cross_entropy(model.call(images), labels) + term;
            loss.backward();
            optimizer.step();
        }

        Assert.True(conv.weight!.isfinite().all().item<bool>());
        Assert.False(conv.weight!.equal(initial).all().item<bool>());
    }

    [Theory]
    [InlineData(ForceGradientMode.Paper)]
    [InlineData(ForceGradientMode.Exact)]
    public void TheValueIsTheForceRateTimesTheSumOfForcesOverAllLayers(ForceGradientMode mode)
    {
        using var scope = NewDisposeScope();
        var penalty = new ElectrostaticPenalty(0.5, coulombConstant: 1, mode);
        var second = Layer([2, 1, -1, -1, 0.25, 0.25], 3);

        double value = penalty.Compute([Layer(FourFilters, 4), second]).item<double>();

        // Second layer: q = [3 (source), -2, 0.5], r = [0, 5, 2.5]: F = [0, 6/25, 1.5/6.25].
        Assert.Equal(0.5 * (6 + (2.0 / 9) + (6.0 / 25) + (1.5 / 6.25)), value, 12);
        Assert.Equal(0.5 * (penalty.Statistics(Layer(FourFilters, 4)).Forces.Sum() + penalty.Statistics(second).Forces.Sum()), value, 12);
    }

    [Fact]
    public void PaperModeGradientIsEquation10()
    {
        using var scope = NewDisposeScope();
        var weight = Layer(FourFilters, 4);

        new ElectrostaticPenalty(0.5, coulombConstant: 1).Compute([weight]).backward();

        // alpha_e k_e |q_1| / r_n^2 * sign(w): filter 0 -> 0.5*3/4.5^2, filter 2 -> 0.5*3/1^2, source and neutral -> 0.
        double c0 = 0.5 * 3 / 20.25, c2 = 0.5 * 3;
        AssertClose([c0, -c0, 0, 0, c2, -c2, 0, 0], Values(weight.grad!), 12);
    }

    [Fact]
    public void ExactModeGradientIsTheAnalyticDerivativeThatAutogradComputes()
    {
        using var scope = NewDisposeScope();
        var weight = Layer(FourFilters, 4);

        new ElectrostaticPenalty(1, coulombConstant: 1, ForceGradientMode.Exact).Compute([weight]).backward();

        // Repelled f2: dF/dm2 = m1 (m1 + m2) / (m1 - m2)^3 = 15; attracted f0: m1 (m1 - m0) / (m1 + m0)^3 = 4.5/91.125;
        // source f1: -m2 (m1 + m2) / (m1 - m2)^3 + m0 (m0 - m1) / (m1 + m0)^3, times sign(w) = -1 for its weights.
        double g0 = 4.5 / 91.125, g2 = 15, g1 = -10 - (2.25 / 91.125);
        AssertClose([g0, -g0, -g1, -g1, g2, -g2, 0, 0], Values(weight.grad!), 10);
    }

    [Theory]
    [InlineData(ForceGradientMode.Paper)]
    [InlineData(ForceGradientMode.Exact)]
    public void AZeroForceRateGivesAZeroPenaltyAndAZeroGradient(ForceGradientMode mode)
    {
        using var scope = NewDisposeScope();
        var weight = Layer(FourFilters, 4);

        var term = new ElectrostaticPenalty(0, mode: mode).Compute([weight]);
        term.backward();

        Assert.Equal(0, term.item<double>());
        Assert.All(Values(weight.grad!), g => Assert.Equal(0, g));
    }

    [Fact]
    public void StatisticsReportChargesForcesAndRoles()
    {
        using var scope = NewDisposeScope();
        var stats = new ElectrostaticPenalty(1e-12, coulombConstant: 1).Statistics(Layer(FourFilters, 4, requiresGrad: false), "conv");

        Assert.Equal("conv", stats.LayerName);
        Assert.Equal(1, stats.SourceIndex);
        Assert.Equal([1.5, -3, -2, 0], stats.Charges);
        AssertClose([2.0 / 9, 0, 6, 0], [.. stats.Forces], 12);
        Assert.Equal([FilterRole.Attracted, FilterRole.Source, FilterRole.Repelled, FilterRole.Neutral], stats.Roles);
    }

    [Fact]
    public void OptionsKeepTheirValuesAndDefaults()
    {
        var penalty = new ElectrostaticPenalty(1e-12);

        Assert.Equal((1e-12, 8.99e9, ForceGradientMode.Paper, 1e-3), (penalty.ForceRate, penalty.CoulombConstant, penalty.Mode, penalty.DistanceEpsilon));
        Assert.Equal("electrostatic penalty (alpha_e 1E-12, k_e 8.99E+09, Paper gradient, epsilon 0.001)", penalty.ToString());
    }

    [Theory]
    [InlineData(-1e-12, 8.99e9, 1e-3, "forceRate")]
    [InlineData(double.NaN, 8.99e9, 1e-3, "forceRate")]
    [InlineData(double.PositiveInfinity, 8.99e9, 1e-3, "forceRate")]
    [InlineData(1e300, 1e300, 1e-3, "forceRate")]
    [InlineData(1e-12, 0, 1e-3, "coulombConstant")]
    [InlineData(1e-12, -8.99e9, 1e-3, "coulombConstant")]
    [InlineData(1e-12, double.PositiveInfinity, 1e-3, "coulombConstant")]
    [InlineData(1e-12, 8.99e9, 0, "distanceEpsilon")]
    [InlineData(1e-12, 8.99e9, double.NaN, "distanceEpsilon")]
    public void OutOfRangeOptionsAreRejectedNamingTheParameter(double forceRate, double coulombConstant, double distanceEpsilon, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ElectrostaticPenalty(forceRate, coulombConstant, ForceGradientMode.Paper, distanceEpsilon));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void AnUndefinedGradientModeIsRejected()
    {
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => new ElectrostaticPenalty(1e-12, mode: (ForceGradientMode)7)).ParamName);
    }

    [Fact]
    public void BadWeightsAreRejectedNamingTheParameter()
    {
        using var scope = NewDisposeScope();
        var penalty = new ElectrostaticPenalty(1e-12);
        var good = Layer(FourFilters, 4);

        Assert.Equal("convWeights", Assert.Throws<ArgumentNullException>(() => penalty.Compute(null!)).ParamName);
        Assert.Equal("convWeights", Assert.Throws<ArgumentException>(() => penalty.Compute([])).ParamName);
        Assert.Contains("weight 1 is null", Assert.Throws<ArgumentException>(() => penalty.Compute([good, null!])).Message, StringComparison.Ordinal);
        var integer = Assert.Throws<ArgumentException>(() => penalty.Compute([zeros([4, 1, 3, 3], ScalarType.Int32)]));
        Assert.Equal("convWeights", integer.ParamName);
        Assert.Contains("Int32", integer.Message, StringComparison.Ordinal);
        Assert.Equal("convWeights", Assert.Throws<ArgumentException>(() => penalty.Compute([ones(5)])).ParamName);
        Assert.Equal("convWeights", Assert.Throws<ArgumentException>(() => penalty.Compute([ones(0, 1, 3, 3)])).ParamName);
        Assert.Equal("convWeight", Assert.Throws<ArgumentNullException>(() => penalty.Statistics(null!)).ParamName);
        Assert.Equal("convWeight", Assert.Throws<ArgumentException>(() => penalty.Statistics(ones(3))).ParamName);
    }
}
