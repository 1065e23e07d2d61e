using ElectrostaticPruning.Samples.Reporting;
using Spectre.Console;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class ResultsTableTests
{
    private static readonly MethodSweep Plain = new("plain",
    [
        new SweepPoint(0, 100_000, 4_000_000, 1, 0.9),
        new SweepPoint(0.5, 40_000, 1_000_000, 4, 0.5),
    ]);

    private static readonly MethodSweep Electrostatic = new("electrostatic",
    [
        new SweepPoint(0, 100_000, 4_000_000, 1, 0.89),
        new SweepPoint(0.5, 40_000, 1_000_000, 4, 0.8),
    ]);

    [Fact]
    public void TheMarkdownTableHasOneRowPerRatioAndBoldsTheBestMethod()
    {
        var table = ResultsTable.Create([Plain, Electrostatic]);

        var expected = string.Join(Environment.NewLine,
            "| Pruning ratio | Params | FLOPs (2xMAC) | Speedup | plain top-1 | electrostatic top-1 |",
            "|---:|---:|---:|---:|---:|---:|",
            "| 0.00 | 100.00 k | 4.00 MFLOPs | 1.00x | **90.00%** | 89.00% |",
            "| 0.50 | 40.00 k | 1.00 MFLOPs | 4.00x | 50.00% | **80.00%** |",
            string.Empty);
        Assert.Equal(expected, table.ToMarkdown());
    }

    [Fact]
    public void TheTerminalTableHasACostColumnSetAndOneColumnPerMethod()
    {
        var table = ResultsTable.Create([Plain, Electrostatic]).ToSpectreTable("results");

        Assert.Equal(6, table.Columns.Count);
        Assert.Equal(2, table.Rows.Count);
    }

    [Fact]
    public void SweepsOfDifferentlySizedModelsCannotShareARow()
    {
        var other = new MethodSweep("L1", [Plain.Points[0], Plain.Points[1] with { Flops = 1_000_001 }]);

        var error = Assert.Throws<ArgumentException>(() => ResultsTable.Create([Plain, other]));

        Assert.Contains("'L1' at ratio 0.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SweepsOfDifferentLengthsAreRejected()
    {
        var shorter = new MethodSweep("L1", [Plain.Points[0]]);

        Assert.Throws<ArgumentException>(() => ResultsTable.Create([Plain, shorter]));
        Assert.Throws<ArgumentException>(() => ResultsTable.Create([]));
    }
}
