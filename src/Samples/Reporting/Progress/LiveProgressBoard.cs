using Spectre.Console;
using Spectre.Console.Rendering;

namespace ElectrostaticPruning.Samples.Reporting.Progress;

/// <summary>Progress bars for an interactive terminal (Spectre.Console), one per line, each with its live status and ETA.</summary>
internal sealed class LiveProgressBoard : IProgressBoard
{
    private readonly ProgressContext _context;
    private readonly IAnsiConsole _console;

    private LiveProgressBoard(IAnsiConsole console, ProgressContext context)
    {
        _console = console;
        _context = context;
    }

    /// <summary>Runs <paramref name="work"/> while the bars are shown; they stay on screen afterwards.</summary>
    public static T Run<T>(IAnsiConsole console, Func<IProgressBoard, T> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new SpinnerColumn(),
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn { Width = 24 },
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new EtaColumn())
            .Start(ctx => work(new LiveProgressBoard(console, ctx)));
    }

    /// <inheritdoc/>
    public IProgressLine Start(string name, double totalUnits)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalUnits);
        var task = _context.AddTask(Describe(name, string.Empty), autoStart: true, maxValue: totalUnits);
        return new Line(name, task);
    }

    /// <inheritdoc/>
    public void Note(string message) => _console.MarkupLine(Markup.Escape(message));

    private static string Describe(string name, string status) =>
        status.Length == 0 ? $"[bold]{Markup.Escape(name)}[/]" : $"[bold]{Markup.Escape(name)}[/] [grey]{Markup.Escape(status)}[/]";

    private sealed class Line(string name, ProgressTask task) : IProgressLine
    {
        public void Advance(double units, string status)
        {
            task.Description = Describe(name, status);
            task.Increment(units);
        }

        public void Complete(string status)
        {
            task.Description = Describe(name, status);
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    /// <summary>ETA from the average pace of the whole task (Spectre's own estimate needs frequent, short units).</summary>
    private sealed class EtaColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.IsFinished)
            {
                return new Markup("[green]done[/]");
            }

            var remaining = EtaEstimator.Remaining(task.ElapsedTime ?? TimeSpan.Zero, task.Value, task.MaxValue);
            return new Text(EtaEstimator.Format(remaining), new Style(Color.Blue));
        }

        public override int? GetColumnWidth(RenderOptions options) => 16;
    }
}
