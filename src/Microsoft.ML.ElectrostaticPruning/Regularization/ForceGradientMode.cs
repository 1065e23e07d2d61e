namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>How the gradient of the electrostatic-force penalty is formed.</summary>
/// <remarks>
/// Both modes report the same penalty value, <c>alpha_e * sum_n k_e |q_1||q_n| / r_n^2</c>; they differ only in the
/// gradient. <see cref="Paper"/> treats the source charge <c>|q_1|</c> and the distance <c>r_n</c> as constants, so
/// every filter is pulled toward zero like an L1 penalty whose per-filter rate grows as the filter's charge nears
/// the source's. <see cref="Exact"/> also differentiates <c>|q_1|</c> and <c>r_n</c>: a repelled filter is then pushed
/// harder (the force rises as <c>r_n</c> shrinks), an attracted filter is pushed by a smaller amount, and the
/// source filter itself receives a gradient.
/// </remarks>
public enum ForceGradientMode
{
    /// <summary>
    /// The paper's Eq. 10: <c>dPenalty/dw = alpha_e k_e |q_1| / r_n^2 * sign(w)</c> for every weight of filter n,
    /// zero for the source filter and neutral filters. The default.
    /// </summary>
    Paper,

    /// <summary>
    /// Full automatic differentiation of <c>alpha_e k_e |q_1||q_n| / r_n^2</c> through <c>q_1</c>, <c>q_n</c> and
    /// <c>r_n</c> (the signs are piecewise constant and the source index is fixed per step).
    /// </summary>
    Exact,
}
