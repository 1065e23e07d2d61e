namespace ElectrostaticPruning.Samples.Reporting.Progress;

/// <summary>Where long-running steps report progress: live bars on a terminal, plain lines otherwise.</summary>
internal interface IProgressBoard
{
    /// <summary>Starts a progress line named <paramref name="name"/> that completes after <paramref name="totalUnits"/> units.</summary>
    IProgressLine Start(string name, double totalUnits);

    /// <summary>Prints a message above the progress lines.</summary>
    void Note(string message);
}
