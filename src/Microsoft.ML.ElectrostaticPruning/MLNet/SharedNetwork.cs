namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// A network shared by several transformers (the dense trained network that every <c>Prune</c> and <c>FineTune</c>
/// result keeps for further pruning), freed when the last holder releases it.
/// </summary>
internal sealed class SharedNetwork
{
    private int _references = 1;

    /// <summary>Wraps <paramref name="network"/>; the caller holds the first reference.</summary>
    /// <param name="network">The dense network.</param>
    /// <param name="widthStatistics">BatchNorm statistics measured at several widths of <paramref name="network"/>, which data-free pruning applies; null for none.</param>
    /// <param name="filterOrder">The filter order any-ratio training trained <paramref name="network"/>'s sub-networks over, which pruning keeps; null for none.</param>
    public SharedNetwork(CnnNetwork network, WidthStatistics? widthStatistics = null, FilterOrder? filterOrder = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
        WidthStatistics = widthStatistics;
        FilterOrder = filterOrder;
    }

    /// <summary>The shared network; valid while the caller holds a reference.</summary>
    public CnnNetwork Network { get; }

    /// <summary>BatchNorm statistics of stored widths of <see cref="Network"/> (managed memory, never changed); null for none.</summary>
    public WidthStatistics? WidthStatistics { get; }

    /// <summary>The filter order of <see cref="Network"/>'s last training epoch (managed memory, never changed), which plans with its ranking prune by; null for none.</summary>
    public FilterOrder? FilterOrder { get; }

    /// <summary>Adds a reference for a new holder.</summary>
    /// <exception cref="ObjectDisposedException">The last reference was already released.</exception>
    public SharedNetwork Acquire()
    {
        int references;
        do
        {
            references = Volatile.Read(ref _references);
            ObjectDisposedException.ThrowIf(references == 0, this);
        }
        while (Interlocked.CompareExchange(ref _references, references + 1, references) != references);

        return this;
    }

    /// <summary>Drops one reference; the last one disposes the network.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Network.Dispose();
        }
    }
}
