namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>Which penalty is added to the cross-entropy loss of the regularized convolution layers.</summary>
public enum RegularizerKind
{
    /// <summary>No penalty: plain cross-entropy training (the paper's unregularized baseline).</summary>
    None,

    /// <summary>L1-norm regularization, <c>rate * sum |w|</c> over the regularized layers (the paper's L1 baseline).</summary>
    L1,

    /// <summary>The electrostatic-force penalty of the paper, <c>alpha_e * sum_{n,l} F_{n,l}</c> (Eq. 7).</summary>
    ElectrostaticForce,
}
