using ElectrostaticPruning.Samples.Reporting.Progress;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class ProgressTests
{
    [Fact]
    public void TheEtaExtrapolatesTheAveragePace()
    {
        Assert.Null(EtaEstimator.Remaining(TimeSpan.FromSeconds(3), 0, 10));
        Assert.Equal(TimeSpan.FromSeconds(24), EtaEstimator.Remaining(TimeSpan.FromSeconds(6), 2, 10));
        Assert.Equal(TimeSpan.Zero, EtaEstimator.Remaining(TimeSpan.FromSeconds(6), 10, 10));
        Assert.Equal("ETA --", EtaEstimator.Format(null));
        Assert.Equal("ETA 1m 05s", EtaEstimator.Format(TimeSpan.FromSeconds(65)));
    }

    [Fact]
    public void PlainProgressWritesOneLinePerUpdateWithCountStatusAndEta()
    {
        var clock = new ManualTime();
        using var writer = new StringWriter();
        var board = new PlainProgressBoard(writer, clock);

        var line = board.Start("electrostatic", 4);
        clock.Advance(TimeSpan.FromSeconds(5));
        line.Advance(1, "loss 0.5");
        clock.Advance(TimeSpan.FromSeconds(5));
        line.Advance(1, "loss 0.4");
        line.Complete("best 90%");

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "[electrostatic] 1/4 loss 0.5 | ETA 15.0s",
            "[electrostatic] 2/4 loss 0.4 | ETA 10.0s",
            "[electrostatic] done in 10.0s best 90%",
        ], lines);
        Assert.DoesNotContain('\u001b', writer.ToString());
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
