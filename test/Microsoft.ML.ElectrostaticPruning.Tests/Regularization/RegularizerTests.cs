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
        var regularizer = new ElectrostaticForceRegularizer(forceRate: 1e-10, coulombConstant: 1e10);

        var penalty = regularizer.Penalty([a, b]);

        Assert.Equal((3.0 / 16) + 2, penalty.item<double>(), 12);
    }

    [Fact]
    public void L1PenaltyIsRateTimesSumOfAbsoluteWeightsAndItsGradientIsRateTimesSign()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, -2, 0, 3 }, [2, 1, 1, 2]).requires_grad_(true);
        var b = tensor(new float[] { -4 }, [1, 1, 1, 1]).requires_grad_(true);

        var penalty = new L1Regularizer.Options().Create(null!).Penalty([a, b]);
        penalty.backward();

        Assert.Equal(0.1f, penalty.item<float>(), 6);
        Assert.Equal(new[] { 0.01f, -0.01f, 0f, 0.01f }, a.grad!.data<float>().ToArray());
        Assert.Equal(-0.01f, b.grad!.item<float>());
    }

    [Theory]
    [InlineData(-1e-12)]
    [InlineData(double.NaN)]
    public void ANegativeOrNaNForceRateIsRejectedByItsOptionName(double forceRate)
    {
        var paper = Assert.Throws<ArgumentOutOfRangeException>(() => new ElectrostaticForceRegularizer.Options { ForceRate = forceRate }.Validate(10, warmStart: false));
        var folded = Assert.Throws<ArgumentOutOfRangeException>(() => new FoldedForceRegularizer.Options { ForceRate = forceRate }.Validate(10, warmStart: false));

        Assert.Equal("ElectrostaticForceRegularizer.Options.ForceRate", paper.ParamName);
        Assert.Equal("FoldedForceRegularizer.Options.ForceRate", folded.ParamName);
        Assert.Contains("1e-11 to 1e-17", paper.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AZeroCoulombConstantIsRejectedByItsOptionName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ElectrostaticForceRegularizer.Options { CoulombConstant = 0 }.Validate(10, warmStart: false));

        Assert.Equal("ElectrostaticForceRegularizer.Options.CoulombConstant", error.ParamName);
        Assert.Contains("8.99e9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AZeroDistanceGuardIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ElectrostaticForceRegularizer(1e-12, distanceEpsilon: 0));
        Assert.Equal("distanceEpsilon", error.ParamName);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.PositiveInfinity)]
    public void AnL1OrSlimmingRateBelowZeroOrInfiniteIsRejectedByItsOptionName(double rate)
    {
        var l1 = Assert.Throws<ArgumentOutOfRangeException>(() => new L1Regularizer.Options { Rate = rate }.Validate(10, warmStart: false));
        var slimming = Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkSlimmingRegularizer.Options { Rate = rate }.Validate(10, warmStart: false));

        Assert.Equal("L1Regularizer.Options.Rate", l1.ParamName);
        Assert.Equal("NetworkSlimmingRegularizer.Options.Rate", slimming.ParamName);
        Assert.Equal(rate, l1.ActualValue);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void AStartEpochOutsideTheEpochsIsRejectedWithTheRange(int start)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new L1Regularizer.Options { StartEpoch = start }.Validate(10, warmStart: false));

        Assert.Equal("L1Regularizer.Options.StartEpoch", error.ParamName);
        Assert.Equal(start, error.ActualValue);
        Assert.Contains("[0, 10)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, false, 5)]
    [InlineData(7, false, 3)]
    [InlineData(10, true, 0)]
    public void TheFoldedForceStartsHalfWayFromRandomWeightsAndAtOnceFromAWarmStart(int epochs, bool warmStart, int expected)
    {
        Assert.Equal(expected, new FoldedForceRegularizer.Options().ResolveStartEpoch(epochs, warmStart));
        Assert.Equal(0, new ElectrostaticForceRegularizer.Options().ResolveStartEpoch(epochs, warmStart));
        Assert.Equal(2, new FoldedForceRegularizer.Options { StartEpoch = 2 }.ResolveStartEpoch(epochs, warmStart));
    }

    [Fact]
    public void EachKindNamesItselfAndItsSettingsInTheOptionsLine()
    {
        Assert.Equal("folded force (alpha_e 1E-12, k_e 8.99E+09, folded charges, on the filters the plan removes or, with any-ratio training, graded over its range)", new FoldedForceRegularizer.Options().ToString());
        Assert.Equal("folded force (alpha_e 3E-12, k_e 8.99E+09, folded charges)", new FoldedForceRegularizer.Options { ForceRate = 3e-12, TargetPrunedFilters = false }.ToString());
        Assert.Equal("electrostatic force (alpha_e 1E-11, k_e 8.99E+09, Exact gradient)", new ElectrostaticForceRegularizer.Options { GradientMode = ForceGradientMode.Exact }.ToString());
        Assert.Equal("L1-norm (rate 0.01)", new L1Regularizer.Options().ToString());
        Assert.Equal("network slimming (rate 0.0001)", new NetworkSlimmingRegularizer.Options().ToString());
    }

    [Fact]
    public void TheTrainersOptionsLineSaysWhetherTheFoldedForceIsGradedOverTheAnyRatioRangeOrTargetsThePlan()
    {
        var options = new ElectrostaticCnnTrainer.Options();
        Assert.Contains("folded charges, graded by removal probability over ratios 0.1-0.7)", options.Describe(), StringComparison.Ordinal);

        options.AnyRatio = new AnyRatioTrainingOptions { MinRatio = 0.2, MaxRatio = 0.6 };
        Assert.Contains("graded by removal probability over ratios 0.2-0.6)", options.Describe(), StringComparison.Ordinal);

        options.AnyRatio = null;
        Assert.Contains("folded charges, on the filters the plan removes)", options.Describe(), StringComparison.Ordinal);

        options.Regularizer = new FoldedForceRegularizer.Options { GradedUpToRatio = 0.7 };
        Assert.Contains("graded by removal probability up to ratio 0.7)", options.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(0.0, true)]
    [InlineData(0.7, false)]
    public void AGradedRatioOutsideTheUnitIntervalOrWithoutTargetingIsRejectedByName(double upTo, bool targeted)
    {
        var options = new FoldedForceRegularizer.Options { GradedUpToRatio = upTo, TargetPrunedFilters = targeted };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate(10, warmStart: false));

        Assert.Equal("FoldedForceRegularizer.Options.GradedUpToRatio", error.ParamName);
        Assert.Equal(upTo, error.ActualValue);
    }

    [Fact]
    public void AnEmptyLayerListIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new ElectrostaticForceRegularizer(1e-12).Penalty([]));
        Assert.Equal("weights", error.ParamName);
    }
}
