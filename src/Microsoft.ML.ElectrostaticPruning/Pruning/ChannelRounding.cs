namespace Microsoft.ML.ElectrostaticPruning.Pruning;

/// <summary>
/// Rounds the number of kept filters of each pruned conv up to a multiple of <see cref="Multiple"/> (capped at the
/// original count), because odd channel counts run slowly on real hardware. Off by default so that the paper's
/// speedups hold exactly.
/// </summary>
internal sealed record ChannelRounding
{
    /// <summary>Creates a rounding to multiples of <paramref name="multiple"/>.</summary>
    /// <param name="multiple">Kept filters are rounded up to a multiple of this; at least 1 (1 = no rounding), typically 8.</param>
    public ChannelRounding(int multiple)
    {
        Multiple = multiple >= 1 ? multiple : throw new ArgumentOutOfRangeException(nameof(multiple), multiple, "The channel multiple must be at least 1.");
    }

    /// <summary>The multiple kept filter counts are rounded up to.</summary>
    public int Multiple { get; }

    /// <summary><c>min(total, ⌈kept / Multiple⌉ · Multiple)</c>.</summary>
    public int Round(int kept, int total) => Math.Min(total, (kept + Multiple - 1) / Multiple * Multiple);
}
