using ElectrostaticPruning.Samples.Reporting;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class UnitsTests
{
    [Theory]
    [InlineData(251_000_000L, "251.00 MFLOPs")]
    [InlineData(796_400_000L, "796.40 MFLOPs")]
    [InlineData(7_327_600_000L, "7.33 GFLOPs")]
    [InlineData(1_500L, "1.50 kFLOPs")]
    [InlineData(999L, "999 FLOPs")]
    public void FlopsCarryAnSiPrefixAndTheirUnit(long flops, string expected) => Assert.Equal(expected, Units.Flops(flops));

    [Theory]
    [InlineData(849_018L, "849.02 k")]
    [InlineData(20_070_244L, "20.07 M")]
    [InlineData(12L, "12")]
    public void ParameterCountsCarryAnSiPrefix(long count, string expected) => Assert.Equal(expected, Units.Parameters(count));

    [Fact]
    public void SpeedupsPercentagesAndDurationsUseInvariantFormatting()
    {
        Assert.Equal("2.17x", Units.Speedup(2.1749));
        Assert.Equal("91.37%", Units.Percent(0.91372));
        Assert.Equal("4.2s", Units.Duration(TimeSpan.FromSeconds(4.24)));
        Assert.Equal("2m 05s", Units.Duration(TimeSpan.FromSeconds(125)));
        Assert.Equal("1h 02m 03s", Units.Duration(new TimeSpan(1, 2, 3)));
    }
}
