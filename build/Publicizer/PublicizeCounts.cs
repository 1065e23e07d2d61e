namespace ElectrostaticPruning.Build.Publicizer;

/// <summary>How many definitions had their visibility raised.</summary>
internal sealed record PublicizeCounts(int Types, int Methods, int Fields)
{
    /// <inheritdoc />
    public override string ToString() => $"{Types} types, {Methods} methods, {Fields} fields made public";
}
