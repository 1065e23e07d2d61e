using Microsoft.ML.ElectrostaticPruning.Runtime;
using static Microsoft.ML.ElectrostaticPruning.ConvolutionKernels;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

/// <summary>
/// The self-check and the choice of mode. Failing checks are injected through <see cref="Measure"/>'s probe, so nothing
/// here changes the process-wide mode.
/// </summary>
public sealed class ConvolutionKernelsTests
{
    private const double Healthy = 1.2e-7;
    private const double Broken = 2.1e-1;

    [Fact]
    public void TheConvolutionsInUseComputeCorrectlyOnThisMachine()
    {
        var check = Check;
        Assert.True(check.Elapsed > TimeSpan.Zero);
        Assert.True(check.Threads >= 1);
        if (ForcedMode is null && Environment.GetEnvironmentVariable(ModeVariable) is null or "" or "auto")
        {
            Assert.Equal(check.RecommendedMode, Mode);
        }

        // Fails loudly, naming the kernel problem, when the mode in effect is one the check found wrong.
        bool correct = Mode switch
        {
            ConvolutionKernelMode.Standard => check.StandardIsCorrect,
            ConvolutionKernelMode.ChannelsLast => check.ChannelsLastIsCorrect,
            _ => check.NativeError is null || check.NativeIsCorrect,
        };
        Assert.True(correct, $"The convolutions in use compute wrong results on this machine: {Description}. Safe mode is off; unset {ModeVariable} or set it to channels-last.");
    }

    [Fact]
    public void OnAHealthyMachineTheStandardKernelsAreKeptWithoutAWarningAndTheNativeOnesAreNotProbed()
    {
        var probed = new List<ProbeTarget>();
        var check = Measure(target =>
        {
            probed.Add(target);
            return Healthy;
        });

        var decision = Decide(check, null, "test");

        Assert.Equal(ConvolutionKernelMode.Standard, decision.Mode);
        Assert.Null(decision.Warning);
        Assert.Equal([ProbeTarget.Standard, ProbeTarget.ChannelsLast], probed);
        Assert.Null(check.NativeError);
    }

    [Fact]
    public void WrongNchwConvolutionsSwitchToChannelsLastWithOneWarningNamingTheCause()
    {
        var check = Measure(target => target == ProbeTarget.Standard ? Broken : Healthy);

        var decision = Decide(check, null, "test");

        Assert.Equal(ConvolutionKernelMode.ChannelsLast, decision.Mode);
        Assert.Equal(ConvolutionKernelMode.ChannelsLast, check.RecommendedMode);
        Assert.False(check.StandardIsCorrect);
        Assert.NotNull(decision.Warning);
        Assert.DoesNotContain('\n', decision.Warning);
        Assert.StartsWith("warning: ElectrostaticPruning: libtorch's oneDNN computes wrong NCHW convolutions", decision.Warning);
        Assert.Contains("CPUID cache leaf", decision.Warning);
        Assert.Contains("NCHW 2.1e-1", decision.Warning);
        Assert.Contains(ModeVariable, decision.Warning);
    }

    [Fact]
    public void NaNFromTheKernelsCountsAsWrong()
    {
        var check = Measure(target => target == ProbeTarget.Standard ? double.NaN : Healthy);

        Assert.False(check.StandardIsCorrect);
        Assert.Equal(ConvolutionKernelMode.ChannelsLast, Decide(check, null, "test").Mode);
        Assert.Contains("NCHW NaN", check.ToString());
    }

    [Fact]
    public void WhenBothOneDnnLayoutsAreWrongOneDnnIsSwitchedOffIfTheNativeKernelsAreRight()
    {
        var check = Measure(target => target == ProbeTarget.Native ? Healthy : Broken);

        var decision = Decide(check, null, "test");

        Assert.Equal(ConvolutionKernelMode.NativeKernels, decision.Mode);
        Assert.Equal(Healthy, check.NativeError);
        Assert.Contains("oneDNN is switched off", decision.Warning);
    }

    [Fact]
    public void WhenNoKernelIsRightTheCheckRefusesToRunAndNamesTheOverride()
    {
        var check = Measure(_ => Broken);

        var error = Assert.Throws<InvalidOperationException>(() => Decide(check, null, "test"));

        Assert.Null(check.RecommendedMode);
        Assert.Contains("No convolution kernel computes correctly", error.Message);
        Assert.Contains(ModeVariable, error.Message);
    }

    [Fact]
    public void AForcedModeWinsAndWarnsOnlyWhenTheCheckFoundItWrong()
    {
        var broken = Measure(target => target == ProbeTarget.Standard ? Broken : Healthy);
        var healthy = Measure(_ => Healthy);

        var forcedWrong = Decide(broken, ConvolutionKernelMode.Standard, "ELECTROSTATIC_PRUNING_CONV_MODE=standard");
        var forcedSafe = Decide(healthy, ConvolutionKernelMode.ChannelsLast, "test");

        Assert.Equal(ConvolutionKernelMode.Standard, forcedWrong.Mode);
        Assert.Contains("ELECTROSTATIC_PRUNING_CONV_MODE=standard forces standard convolutions, which the self-check found WRONG", forcedWrong.Warning);
        Assert.Equal(ConvolutionKernelMode.ChannelsLast, forcedSafe.Mode);
        Assert.Null(forcedSafe.Warning);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("auto", null)]
    [InlineData("standard", ConvolutionKernelMode.Standard)]
    [InlineData(" Channels-Last ", ConvolutionKernelMode.ChannelsLast)]
    [InlineData("native", ConvolutionKernelMode.NativeKernels)]
    public void TheEnvironmentVariableAcceptsTheDocumentedValues(string? value, ConvolutionKernelMode? expected) =>
        Assert.Equal(expected, ParseMode(value));

    [Fact]
    public void AnUnknownEnvironmentValueIsRejectedNamingTheVariableAndTheValidValues()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ParseMode("fast"));

        Assert.Equal("Environment variable ELECTROSTATIC_PRUNING_CONV_MODE is 'fast'; expected auto, standard, channels-last or native.", error.Message);
    }
}
