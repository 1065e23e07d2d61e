namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// The filter order sandwich training trained its sub-networks over (Once-for-All's "channels sorted by importance so
/// that every sub-network is a prefix"): for every prunable conv, its filter indices strongest first by one
/// <see cref="FilterRanking"/>, as ranked at the start of the last epoch and kept (frozen) through it. Pruning by this
/// order keeps exactly the filters the last epoch's sub-networks trained with; ranking the trained weights again would
/// swap the filters whose norms crossed during that epoch (1.5% of VGG-11's kept filters at 0.5, <c>ranking-drift</c>
/// benchmark) for ones no sub-network trained with.
/// </summary>
/// <remarks>
/// <para>A plan uses the order when it ranks by <see cref="Ranking"/> (<see cref="FilterPruner.Prune"/>): a layer that
/// keeps k filters keeps the first k of its order, as long as k is at least the m filters the narrowest sub-network kept
/// there (the trained range). Below m, past the range no sub-network trained, it keeps the k of those m filters that
/// rank highest by the final weights: the order among the narrowest sub-network's filters is a ranking one epoch old,
/// which no sub-network depended on (SmallCnn at 0.9, the main job: 53.40% by the order's prefix, 65.45% by the final
/// weights), while the result stays inside the narrowest trained network. A plan with another ranking ranks the weights
/// as before.</para>
/// <para>Stream layout (little-endian): 8-byte magic "EPORDER\x1A", int32 version (1), int32 ranking
/// (<see cref="FilterRanking"/> value), int32 convs, per conv: UTF-8 conv name, int32 filters, int32 m (the narrowest
/// sub-network's filters, in [0, filters]), the filter indices (int32, strongest first, a permutation of
/// 0..filters-1); then the SHA-256 of everything before it (32 bytes).</para>
/// </remarks>
internal sealed class FilterOrder
{
    private const int Version = 1;
    private static readonly byte[] Magic = "EPORDER\u001A"u8.ToArray();

    private readonly Dictionary<string, int[]> _order;
    private readonly Dictionary<string, int> _narrowest;

    /// <summary>An order of <paramref name="ranking"/> from each conv's filter indices, strongest first (copied; each a permutation).</summary>
    /// <param name="ranking">The ranking the order was made by.</param>
    /// <param name="order">Per conv name, its filter indices strongest first.</param>
    /// <param name="narrowest">Per conv name, the filters the narrowest sub-network kept there, in [0, n]; a conv not listed: 0 (the order's prefixes at every count).</param>
    /// <exception cref="ArgumentException">An entry is not a permutation of 0..n-1, or a narrowest count is outside [0, n].</exception>
    public FilterOrder(FilterRanking ranking, IReadOnlyDictionary<string, int[]> order, IReadOnlyDictionary<string, int>? narrowest = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        Ranking = ranking;
        _order = new Dictionary<string, int[]>(StringComparer.Ordinal);
        _narrowest = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (conv, indices) in order)
        {
            if (!IsPermutation(indices))
            {
                throw new ArgumentException($"The filter order of '{conv}' is not a permutation of 0..{indices.Length - 1}.", nameof(order));
            }

            int m = narrowest is not null && narrowest.TryGetValue(conv, out int value) ? value : 0;
            if (m < 0 || m > indices.Length)
            {
                throw new ArgumentException($"The narrowest sub-network of '{conv}' keeps {m} filters; expected 0 to {indices.Length}.", nameof(narrowest));
            }

            _order[conv] = [.. indices];
            _narrowest[conv] = m;
        }
    }

    /// <summary>The ranking this order was made by; only plans with this ranking use it.</summary>
    public FilterRanking Ranking { get; }

    /// <summary>The convs this order covers, by name.</summary>
    public IReadOnlyCollection<string> Convs => _order.Keys;

    /// <summary>
    /// The <paramref name="kept"/> filters of <paramref name="conv"/> pruning keeps (ascending indices; see the remarks),
    /// or null when the order does not cover that conv.
    /// </summary>
    /// <param name="conv">The conv's name.</param>
    /// <param name="kept">How many filters stay, in [0, n].</param>
    /// <param name="norms">The final weights' ranking norms of the conv's filters, read only below the narrowest sub-network's count; null keeps the order's prefix there too.</param>
    public int[]? Kept(string conv, int kept, Func<double[]>? norms = null)
    {
        if (!_order.TryGetValue(conv, out var order))
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(kept);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(kept, order.Length);
        int narrowest = _narrowest[conv];
        int[] result;
        if (kept >= narrowest || norms is null)
        {
            result = order[..kept];
        }
        else
        {
            double[] values = norms();
            result = [.. order[..narrowest].OrderByDescending(i => values[i]).ThenBy(i => i).Take(kept)];
        }

        Array.Sort(result);
        return result;
    }

    /// <summary>The filters the narrowest sub-network kept in <paramref name="conv"/> (0 when not covered).</summary>
    public int Narrowest(string conv) => _narrowest.GetValueOrDefault(conv);

    /// <summary>Whether every conv of this order is a conv of <paramref name="dense"/> with as many filters.</summary>
    public bool Fits(CnnNetwork dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var filters = dense.ConvLayers.ToDictionary(l => l.Name, l => l.OutChannels, StringComparer.Ordinal);
        return _order.All(p => filters.TryGetValue(p.Key, out int n) && n == p.Value.Length);
    }

    /// <summary>Writes the order to <paramref name="stream"/> (layout in the remarks).</summary>
    public void Save(Stream stream) => ChecksummedStream.Write(stream, Magic, Version, writer =>
    {
        writer.Write((int)Ranking);
        writer.Write(_order.Count);
        foreach (var (conv, order) in _order.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Write(conv);
            writer.Write(order.Length);
            writer.Write(_narrowest[conv]);
            foreach (int index in order)
            {
                writer.Write(index);
            }
        }
    });

    /// <summary>Reads an order that <see cref="Save"/> wrote; a wrong magic, version, hash or value throws <see cref="InvalidDataException"/>.</summary>
    public static FilterOrder Load(Stream stream) => ChecksummedStream.Read(stream, Magic, Version, "filter order", reader =>
    {
        int ranking = reader.ReadInt32();
        if (!Enum.IsDefined((FilterRanking)ranking))
        {
            throw new InvalidDataException($"Filter order ranking {ranking} is not a FilterRanking value.");
        }

        int convs = Count(reader.ReadInt32(), 100_000, "convs");
        var order = new Dictionary<string, int[]>(convs, StringComparer.Ordinal);
        var narrowest = new Dictionary<string, int>(convs, StringComparer.Ordinal);
        for (int c = 0; c < convs; c++)
        {
            string conv = reader.ReadString();
            int filters = Count(reader.ReadInt32(), 1 << 20, $"filters of '{conv}'");
            int m = reader.ReadInt32();
            if (m < 0 || m > filters)
            {
                throw new InvalidDataException($"The filter order of '{conv}' says its narrowest sub-network kept {m} of {filters} filters.");
            }

            narrowest[conv] = m;
            int[] indices = [.. Enumerable.Range(0, filters).Select(_ => reader.ReadInt32())];
            if (!IsPermutation(indices) || !order.TryAdd(conv, indices))
            {
                throw new InvalidDataException($"The filter order of '{conv}' is not a permutation of 0..{filters - 1} or is stored twice.");
            }
        }

        return new FilterOrder((FilterRanking)ranking, order, narrowest);
    });

    private static int Count(int value, int max, string what) =>
        value >= 0 && value <= max ? value : throw new InvalidDataException($"Invalid number of {what} in a filter order: {value}.");

    private static bool IsPermutation(int[] indices)
    {
        var seen = new bool[indices.Length];
        foreach (int index in indices)
        {
            if (index < 0 || index >= indices.Length || seen[index])
            {
                return false;
            }

            seen[index] = true;
        }

        return true;
    }
}
