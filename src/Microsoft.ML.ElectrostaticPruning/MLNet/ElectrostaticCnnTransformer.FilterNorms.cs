namespace Microsoft.ML.ElectrostaticPruning;

public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>
    /// Raw and BatchNorm-folded L1 norms of every filter of the dense trained network, for each conv this transformer's
    /// <see cref="PruningPlan"/> prunes, in GReg layer order (the data of the paper's Figure 3).
    /// </summary>
    /// <returns>One entry per pruned conv; empty for a plan that prunes nothing.</returns>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public IReadOnlyList<ConvFilterNorms> GetFilterNorms()
    {
        ThrowIfDisposed();
        return [.. FilterNormProfile.Measure(_dense.Network, _plan)
            .Select(p => new ConvFilterNorms(p.Layer.LayerIndex, p.Layer.Name, p.Norms, p.FoldedNorms))];
    }
}
