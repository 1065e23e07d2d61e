namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// What stops a training run between two SGD steps (and a data read every 1024 rows): the caller's
/// <see cref="CancellationToken"/> and, from ML.NET, the cancellation of the <c>MLContext</c> the trainer was created on.
/// </summary>
/// <param name="Token">The caller's token (the options' <c>CancellationToken</c>).</param>
/// <param name="IsCanceledElsewhere">Polled at the same points; true once the environment was cancelled. Null for none.</param>
internal readonly record struct TrainingStop(CancellationToken Token, Func<bool>? IsCanceledElsewhere = null)
{
    /// <summary>Nothing stops the run.</summary>
    public static TrainingStop None => default;

    /// <summary>A stop on <paramref name="token"/> alone.</summary>
    public static implicit operator TrainingStop(CancellationToken token) => new(token);

    /// <summary>Throws <see cref="OperationCanceledException"/> when either signal is set.</summary>
    public void ThrowIfStopped()
    {
        Token.ThrowIfCancellationRequested();
        if (IsCanceledElsewhere?.Invoke() == true)
        {
            throw new OperationCanceledException("The operation was canceled: the MLContext's execution was cancelled.");
        }
    }
}
