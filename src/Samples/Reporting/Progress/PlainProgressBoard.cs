using System.Diagnostics;
using System.Globalization;

namespace ElectrostaticPruning.Samples.Reporting.Progress;

/// <summary>
/// Progress for logs, CI and redirected output: one plain line per update, with the unit count and an ETA, and no
/// cursor movement or colour codes.
/// </summary>
internal sealed class PlainProgressBoard(TextWriter writer, TimeProvider? time = null) : IProgressBoard
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();

    /// <inheritdoc/>
    public IProgressLine Start(string name, double totalUnits)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalUnits);
        return new Line(this, name, totalUnits, _time.GetTimestamp());
    }

    /// <inheritdoc/>
    public void Note(string message) => Write(message);

    private void Write(string text)
    {
        lock (_gate)
        {
            writer.WriteLine(text);
            writer.Flush();
        }
    }

    private sealed class Line(PlainProgressBoard board, string name, double total, long started) : IProgressLine
    {
        private double _done;

        public void Advance(double units, string status)
        {
            _done = Math.Min(total, _done + units);
            var elapsed = board._time.GetElapsedTime(started);
            var eta = EtaEstimator.Format(EtaEstimator.Remaining(elapsed, _done, total));
            board.Write(string.Create(CultureInfo.InvariantCulture, $"[{name}] {_done:0.##}/{total:0.##} {status} | {eta}"));
        }

        public void Complete(string status)
        {
            _done = total;
            var elapsed = board._time.GetElapsedTime(started);
            board.Write($"[{name}] done in {Units.Duration(elapsed)} {status}".TrimEnd());
        }
    }
}
