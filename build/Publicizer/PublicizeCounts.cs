namespace ElectrostaticPruning.Build.Publicizer;

/// <summary>How many definitions had their visibility raised.</summary>
internal sealed class PublicizeCounts
{
    /// <summary>Types made public (listed types and the declaring types of listed members).</summary>
    public int Types { get; set; }

    /// <summary>Methods and accessors made public (or protected, when overridable).</summary>
    public int Methods { get; set; }

    /// <summary>Fields made public.</summary>
    public int Fields { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Types} types, {Methods} methods, {Fields} fields made public";
}
