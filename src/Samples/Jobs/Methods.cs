using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Display names of the three training methods the paper compares and of the library's default force.</summary>
internal static class Methods
{
    /// <summary>No regularizer (the paper's baseline).</summary>
    public const string Plain = "plain";

    /// <summary>L1-norm regularization of the pruned layers.</summary>
    public const string L1 = "L1-norm";

    /// <summary>The paper's electrostatic force.</summary>
    public const string Electrostatic = "electrostatic force";

    /// <summary>The library's default: the force on BatchNorm-folded charges, on the filters the plan removes, from half-way.</summary>
    public const string FoldedForce = "folded force";

    /// <summary>The display name of <paramref name="kind"/>.</summary>
    public static string NameOf(RegularizerKind kind) => kind switch
    {
        RegularizerKind.None => Plain,
        RegularizerKind.L1 => L1,
        RegularizerKind.FoldedElectrostaticForce => FoldedForce,
        _ => Electrostatic,
    };
}
