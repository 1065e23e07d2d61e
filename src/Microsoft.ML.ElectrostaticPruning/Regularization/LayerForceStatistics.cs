namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// The electrostatic field of one convolution layer, per filter, for reports and plots (e.g. the paper's Figure 3).
/// </summary>
/// <param name="LayerName">The layer's name (state-dict prefix such as <c>layer1.0.conv1</c>), or empty.</param>
/// <param name="SourceIndex">Index of the source filter (largest L1 norm, lowest index on ties).</param>
/// <param name="Charges">Charge <c>q_n = sign(sum W_n) * ||W_n||_1</c> of each filter (Eq. 2).</param>
/// <param name="Forces">Force <c>F_n = k_e |q_1||q_n| / max(r_n, epsilon)^2</c> (Eq. 6, without alpha_e); 0 for source and neutral filters.</param>
/// <param name="L1Norms">L1 norm <c>||W_n||_1</c> of each filter (Eq. 3).</param>
/// <param name="NormalizedL1Norms">L1 norm divided by the layer's largest L1 norm, in [0, 1] (0 for an all-zero layer).</param>
/// <param name="Roles">Source, repelled, attracted or neutral, per filter.</param>
public sealed record LayerForceStatistics(
    string LayerName,
    int SourceIndex,
    IReadOnlyList<double> Charges,
    IReadOnlyList<double> Forces,
    IReadOnlyList<double> L1Norms,
    IReadOnlyList<double> NormalizedL1Norms,
    IReadOnlyList<FilterRole> Roles)
{
    /// <summary>Number of filters in the layer.</summary>
    public int FilterCount => Roles.Count;

    /// <summary>Filters with the source's charge sign (the source itself excluded).</summary>
    public int RepelledCount => Count(FilterRole.Repelled);

    /// <summary>Filters with the opposite charge sign to the source.</summary>
    public int AttractedCount => Count(FilterRole.Attracted);

    /// <summary>Filters that feel no force because their charge (or the source's) is zero; the source excluded.</summary>
    public int NeutralCount => Count(FilterRole.Neutral);

    /// <summary>Mean L1 norm of the filters with <paramref name="role"/>, or <see cref="double.NaN"/> when there are none.</summary>
    public double MeanL1Norm(FilterRole role)
    {
        double sum = 0;
        int count = 0;
        for (int n = 0; n < Roles.Count; n++)
        {
            if (Roles[n] == role)
            {
                sum += L1Norms[n];
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private int Count(FilterRole role) => Roles.Count(r => r == role);
}
