using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>
/// Turns any exception that reaches the command line into one red line on stderr and exit code 1. User errors (bad
/// options, missing files, bad data) print their message alone; unexpected ones also name the exception type. Stack
/// traces appear only with <c>--verbose</c>.
/// </summary>
internal static class ErrorReporter
{
    /// <summary>Exit code for every failure.</summary>
    public const int FailureExitCode = 1;

    /// <summary>Writes the error and returns <see cref="FailureExitCode"/>.</summary>
    public static int Report(Exception exception, IAnsiConsole console, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(console);
        var root = Unwrap(exception);
        console.MarkupLine($"[red]error: {Markup.Escape(OneLine(root))}[/]");
        if (verbose)
        {
            console.WriteException(root, ExceptionFormats.ShortenEverything);
        }

        return FailureExitCode;
    }

    /// <summary>The message of <paramref name="exception"/> on one line (Spectre's parse errors span several).</summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;

        // ArgumentException appends " (Parameter 'x')"; the message already names the option.
        if (exception is ArgumentException { ParamName: { } name })
        {
            message = message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal);
        }

        var lines = message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = lines.Length == 0 ? exception.GetType().Name : string.Join(" ", lines);
        return IsUserError(exception) ? text : $"{exception.GetType().Name}: {text}";
    }

    /// <summary>Errors caused by what the user typed or pointed at, as opposed to bugs.</summary>
    public static bool IsUserError(Exception exception) => exception is
        CommandAppException or ArgumentException or FormatException or IOException or InvalidDataException
        or InvalidOperationException or UnauthorizedAccessException or OperationCanceledException or NotSupportedException;

    private static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    break;
                case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                    exception = aggregate.InnerExceptions[0];
                    break;
                case TypeInitializationException { InnerException: { } inner }:
                    exception = inner;
                    break;
                default:
                    return exception;
            }
        }
    }
}
