using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(99, 0.1)]
    [InlineData(100, 0.01)]
    [InlineData(149, 0.01)]
    [InlineData(150, 0.001)]
    [InlineData(400, 0.001)]
    public void P1StepsDownAtEpochs100And150(int epoch, double rate) => Assert.Equal(rate, LearningRateSchedule.P1.RateAt(epoch));

    [Theory]
    [InlineData(0, 1e-2)]
    [InlineData(59, 1e-2)]
    [InlineData(60, 1e-3)]
    [InlineData(90, 1e-4)]
    public void P2StepsDownAtEpochs60And90(int epoch, double rate) => Assert.Equal(rate, LearningRateSchedule.P2.RateAt(epoch));

    [Fact]
    public void ParsingThePapersNotationGivesTheMilestones()
    {
        var schedule = LearningRateSchedule.Parse(" (0: 1e-1, 100:1e-2 ,150:1e-3) ");
        Assert.Equal([new(0, 0.1), new(100, 0.01), new(150, 0.001)], schedule.Milestones);
        Assert.Equal(LearningRateSchedule.P1.Milestones, schedule.Milestones);
    }

    [Fact]
    public void PresetNamesParse()
    {
        Assert.Same(LearningRateSchedule.P1, LearningRateSchedule.Parse("p1"));
        Assert.Same(LearningRateSchedule.P1Scaled, LearningRateSchedule.Parse(" p1-Scaled "));
        Assert.Same(LearningRateSchedule.P2, LearningRateSchedule.Parse("P2"));
        Assert.Equal("P1-scaled", LearningRateSchedule.P1Scaled.ToString());
    }

    [Theory]
    [InlineData(200, "0:0.1,100:0.01,150:0.001")]
    [InlineData(10, "0:0.1,5:0.01,7:0.001")]
    [InlineData(4, "0:0.1,2:0.01,3:0.001")]
    [InlineData(3, "0:0.1,1:0.01,2:0.001")]
    [InlineData(2, "0:0.1,1:0.01")]
    [InlineData(1, "0:0.1")]
    public void ScaledP1PutsP1sMilestonesAtHalfAndThreeQuartersOfTheEpochs(int epochs, string expected)
    {
        var schedule = LearningRateSchedule.P1Scaled.ForEpochs(epochs);

        Assert.Equal(expected, schedule.ToString());
        Assert.False(schedule.ScalesWithEpochs);
        Assert.True(LearningRateSchedule.P1Scaled.ScalesWithEpochs);
    }

    [Fact]
    public void AFixedScheduleIsTheSameForEveryBudget()
    {
        Assert.Same(LearningRateSchedule.P1, LearningRateSchedule.P1.ForEpochs(10));
        Assert.Equal(0.1, LearningRateSchedule.P1.ForEpochs(10).RateAt(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.P1Scaled.ForEpochs(0));
    }

    [Fact]
    public void ToStringRoundTripsThroughParse()
    {
        var schedule = new LearningRateSchedule([new(0, 0.1), new(7, 1.0 / 3)]);
        Assert.Equal("0:0.1,7:0.3333333333333333", schedule.ToString());
        Assert.Equal(schedule.Milestones, LearningRateSchedule.Parse(schedule.ToString()).Milestones);
    }

    [Theory]
    [InlineData("0:0.1,x:0.01", "could not read \"x:0.01\"")]
    [InlineData("5:0.1", "The first learning-rate milestone must be at epoch 0")]
    [InlineData("0:0.1,10:0.01,10:0.001", "strictly increase")]
    [InlineData("0:-0.1", "greater than 0")]
    [InlineData("", "could not read")]
    public void MalformedSchedulesAreRejectedWithTheExpectedFormat(string text, string fragment)
    {
        var error = Assert.Throws<FormatException>(() => LearningRateSchedule.Parse(text));
        Assert.Contains(fragment, error.Message);
        Assert.Contains("0:1e-1,100:1e-2,150:1e-3", error.Message);
    }

    [Fact]
    public void ANegativeEpochIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.P1.RateAt(-1));
}
