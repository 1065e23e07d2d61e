using Spectre.Console;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>The consoles the command line writes to: results on stdout, errors on stderr.</summary>
internal static class Consoles
{
    /// <summary>Width used when stdout is not a terminal, so that tables in logs are not wrapped at 80 columns.</summary>
    public const int RedirectedWidth = 160;

    /// <summary>Stdout: live widgets on a terminal; plain text, wide enough for the results table, when redirected.</summary>
    public static IAnsiConsole CreateOutput()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>Stderr, for the one-line error messages; never wrapped, so each error stays on one line.</summary>
    public static IAnsiConsole CreateError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Profile.Width = ErrorWidth;
        return console;
    }

    /// <summary>Wide enough that no error message wraps.</summary>
    private const int ErrorWidth = 4096;
}
