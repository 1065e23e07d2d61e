namespace ElectrostaticPruning.Samples.Data;

/// <summary>A data set found on disk by <see cref="DataSourceDetector"/>: its format and the files of each split.</summary>
/// <param name="Root">The folder the user pointed at.</param>
internal abstract record DataSource(string Root)
{
    /// <summary>A short human-readable name of the format (for logs and tables).</summary>
    public abstract string FormatName { get; }

    /// <summary>Whether the data set comes with its own test split.</summary>
    public abstract bool HasTestSplit { get; }
}
