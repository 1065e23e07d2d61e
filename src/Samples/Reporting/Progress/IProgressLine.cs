namespace ElectrostaticPruning.Samples.Reporting.Progress;

/// <summary>One line of progress (a training run, a sweep): advanced in units, with a short live status.</summary>
internal interface IProgressLine
{
    /// <summary>Marks <paramref name="units"/> more units as done and shows <paramref name="status"/> (live loss, accuracy, ...).</summary>
    void Advance(double units, string status);

    /// <summary>Marks the line as finished with a final <paramref name="status"/>.</summary>
    void Complete(string status);
}
