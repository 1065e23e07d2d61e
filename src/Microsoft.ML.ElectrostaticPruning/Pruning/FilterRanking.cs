namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>Which filters of a layer a <see cref="PruningPlan"/> keeps: those ranked highest by this norm.</summary>
public enum FilterRanking
{
    /// <summary>The L1 norm of the raw filter weights, <c>||W_n||_1</c>: the paper's (and GReg's) local ranking. The default.</summary>
    L1Norm,

    /// <summary>
    /// The L1 norm of the filter with its BatchNorm folded in, <c>||W_n||_1 * |gamma_n| / sqrt(var_n + eps)</c>: what the
    /// channel contributes at inference. With BatchNorm after every conv the raw norm is scale-free (BatchNorm undoes it),
    /// so this ranking follows the channel's real strength. Plan text suffix <c>rank folded</c>.
    /// </summary>
    FoldedL1Norm,
}
