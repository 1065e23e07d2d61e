namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>The part a filter plays in its layer's electrostatic field.</summary>
public enum FilterRole
{
    /// <summary>The filter with the largest L1 norm (lowest index on ties); it exerts the field and feels no force.</summary>
    Source,

    /// <summary>Same charge sign as the source: repelled, so its weights are driven toward zero.</summary>
    Repelled,

    /// <summary>Opposite charge sign to the source: attracted, so its weights stay away from zero.</summary>
    Attracted,

    /// <summary>Zero charge (its weights sum to zero), or the source itself is neutral: no force.</summary>
    Neutral,
}
