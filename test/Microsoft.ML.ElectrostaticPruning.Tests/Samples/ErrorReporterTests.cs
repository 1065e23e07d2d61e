using ElectrostaticPruning.Samples.Cli;
using Spectre.Console;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class ErrorReporterTests
{
    [Fact]
    public void AUserErrorIsOneLineWithoutTheParameterSuffixOrAStackTrace()
    {
        using var writer = new StringWriter();
        var console = PlainConsole(writer);

        var code = ErrorReporter.Report(
            new ArgumentOutOfRangeException("epochs", "--epochs must be at least 1."), console, verbose: false);

        Assert.Equal(1, code);
        Assert.Equal("error: --epochs must be at least 1." + Environment.NewLine, writer.ToString());
    }

    [Fact]
    public void MultiLineMessagesAreJoinedAndWrappersUnwrapped()
    {
        var inner = new InvalidDataException("first line\n  second line");
        var wrapped = new AggregateException(new System.Reflection.TargetInvocationException(inner));
        using var writer = new StringWriter();

        ErrorReporter.Report(wrapped, PlainConsole(writer), verbose: false);

        Assert.Equal("error: first line second line" + Environment.NewLine, writer.ToString());
    }

    [Fact]
    public void AnUnexpectedErrorNamesItsTypeAndShowsTheTraceOnlyWhenVerbose()
    {
        Exception bug;
        try
        {
            throw new NullReferenceException("oops");
        }
        catch (NullReferenceException e)
        {
            bug = e;
        }

        using var quiet = new StringWriter();
        using var verbose = new StringWriter();
        ErrorReporter.Report(bug, PlainConsole(quiet), verbose: false);
        ErrorReporter.Report(bug, PlainConsole(verbose), verbose: true);

        Assert.Equal("error: NullReferenceException: oops" + Environment.NewLine, quiet.ToString());
        Assert.Contains("AnUnexpectedErrorNamesItsTypeAndShowsTheTraceOnlyWhenVerbose", verbose.ToString(), StringComparison.Ordinal);
    }

    private static IAnsiConsole PlainConsole(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(writer),
        Interactive = InteractionSupport.No,
    });
}
