namespace ElectrostaticPruning.Samples.Reporting;

/// <summary>The pruning sweep of one trained model (plain, L1-norm or electrostatic force).</summary>
/// <param name="Method">Name shown in tables and legends.</param>
/// <param name="Points">One point per pruning ratio, in ascending ratio order.</param>
internal sealed record MethodSweep(string Method, IReadOnlyList<SweepPoint> Points);
