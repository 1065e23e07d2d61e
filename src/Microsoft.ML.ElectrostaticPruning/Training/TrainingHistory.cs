using System.Collections;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>The metrics of every epoch of a training run, in order (epochs restored from a checkpoint included).</summary>
public sealed class TrainingHistory : IReadOnlyList<EpochMetrics>
{
    private readonly List<EpochMetrics> _epochs = [];

    /// <summary>Number of epochs recorded.</summary>
    public int Count => _epochs.Count;

    /// <summary>The metrics of the last epoch, or null when none ran.</summary>
    public EpochMetrics? Last => _epochs.Count == 0 ? null : _epochs[^1];

    /// <summary>The metrics of the <paramref name="index"/>-th recorded epoch.</summary>
    public EpochMetrics this[int index] => _epochs[index];

    /// <inheritdoc />
    public IEnumerator<EpochMetrics> GetEnumerator() => _epochs.GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(EpochMetrics metrics) => _epochs.Add(metrics);
}
