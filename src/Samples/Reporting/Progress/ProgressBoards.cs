using Spectre.Console;

namespace ElectrostaticPruning.Samples.Reporting.Progress;

/// <summary>Chooses live bars or plain lines depending on whether the output is an interactive terminal.</summary>
internal static class ProgressBoards
{
    /// <summary>Whether live bars can be drawn: an interactive terminal whose output is not redirected.</summary>
    public static bool CanDrawLive(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> with the board that fits <paramref name="console"/>.</summary>
    public static T Run<T>(IAnsiConsole console, Func<IProgressBoard, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return CanDrawLive(console)
            ? LiveProgressBoard.Run(console, work)
            : work(new PlainProgressBoard(console.Profile.Out.Writer));
    }
}
