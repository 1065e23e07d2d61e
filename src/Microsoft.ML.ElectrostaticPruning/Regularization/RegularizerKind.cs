namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>Which penalty is added to the cross-entropy loss of the regularized convolution layers.</summary>
public enum RegularizerKind
{
    /// <summary>No penalty: plain cross-entropy training (the paper's unregularized baseline).</summary>
    None,

    /// <summary>L1-norm regularization, <c>rate * sum |w|</c> over the regularized layers (the paper's L1 baseline).</summary>
    L1,

    /// <summary>The electrostatic-force penalty of the paper, <c>alpha_e * sum_{n,l} F_{n,l}</c> (Eq. 7), on raw-weight charges.</summary>
    ElectrostaticForce,

    /// <summary>
    /// Network slimming (Liu et al. 2017), the standard BatchNorm-based channel pruning baseline:
    /// <c>rate * sum |gamma_n|</c> over the BatchNorm scales of the regularized convolutions (rate <c>SlimmingRate</c>).
    /// </summary>
    NetworkSlimming,

    /// <summary>
    /// The electrostatic force on BatchNorm-folded charges: <c>q_n = sign(sum W_n * gamma_n) * ||W_n||_1 * |gamma_n| / sqrt(var_n + eps)</c>,
    /// the L1 norm of filter n after its BatchNorm is folded in, which is what the channel really contributes. Eqs. 4-7
    /// unchanged otherwise; the gradient (Eq. 10 form, <c>alpha_e k_e |q_1| / r_n^2</c> per unit of folded norm) reaches
    /// only the BatchNorm scale gamma, so a repelled channel's effective scale goes to zero and the channel dies instead
    /// of its raw weights shrinking (which BatchNorm undoes). Not in the paper.
    /// </summary>
    FoldedElectrostaticForce,
}
