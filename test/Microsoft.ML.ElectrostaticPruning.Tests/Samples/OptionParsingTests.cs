using ElectrostaticPruning.Samples.Cli;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class OptionParsingTests
{
    [Fact]
    public void TheDefaultSweepIsTheTenRatiosOfFigureTwo()
    {
        var ratios = OptionParsing.ParseRatios(OptionParsing.DefaultRatios);

        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], ratios);
    }

    [Fact]
    public void ARangeIncludesItsStopDespiteBinaryRounding()
    {
        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], OptionParsing.ParseRatios("0:0.9:0.1"));
        Assert.Equal([0.5, 0.75], OptionParsing.ParseRatios("0.5:0.8:0.25"));
    }

    [Fact]
    public void RatiosAreSortedAndDeduplicated()
    {
        Assert.Equal([0.2, 0.5], OptionParsing.ParseRatios("0.5, 0.2,0.5"));
    }

    [Theory]
    [InlineData("1", "ratio 1 is outside [0, 1)")]
    [InlineData("-0.1", "ratio -0.1 is outside [0, 1)")]
    [InlineData("0.1,abc", "'abc' is not a number")]
    [InlineData("0:0.5", "start:stop:step")]
    [InlineData("0.5:0.1:0.1", "stop >= start")]
    [InlineData(" ", "is empty")]
    public void BadRatiosNameTheOptionAndTheProblem(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => OptionParsing.ParseRatios(text));

        Assert.StartsWith("--ratios", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelPathMayCarryALabel()
    {
        Assert.Equal(("electrostatic", "out/e.zip"), OptionParsing.ParseLabeledPath("electrostatic=out/e.zip"));
        Assert.Equal(("plain", "out/plain.zip"), OptionParsing.ParseLabeledPath("out/plain.zip"));
        Assert.Throws<FormatException>(() => OptionParsing.ParseLabeledPath("label="));
    }
}
