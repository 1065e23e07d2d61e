namespace ElectrostaticPruning.Samples.Reporting.Progress;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the calling thread (System.Progress&lt;T&gt; posts to the thread pool, which
/// would reorder the progress lines).
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
