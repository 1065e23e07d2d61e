using ElectrostaticPruning.Samples.Cli;
using Spectre.Console;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>Runs the samples' command line in-process with captured, non-interactive stdout and stderr.</summary>
internal static class CliHarness
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = SamplesApp.Run(args, Plain(output, 200), Plain(error, 4096));
        return (code, output.ToString(), error.ToString());
    }

    private static IAnsiConsole Plain(TextWriter writer, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }
}
