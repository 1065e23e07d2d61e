using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// Size and cost of a network in GReg's conventions: parameters are conv and Linear weights and biases (BatchNorm
/// excluded); multiply-accumulates (MACs) count conv and Linear weights only (bias, BN, ReLU and pooling ignored).
/// </summary>
/// <param name="Parameters">Conv + Linear weights and biases.</param>
/// <param name="MultiplyAccumulates">MACs for one image: Σ conv prod(weight.shape)·H_out·W_out/groups + Σ Linear prod(weight.shape).</param>
public sealed record ModelComplexity(long Parameters, long MultiplyAccumulates)
{
    /// <summary>FLOPs in GReg's (and the paper's Table 2) unit: 2 × MACs.</summary>
    public long Flops => 2 * MultiplyAccumulates;

    /// <summary>Parameters in millions.</summary>
    public double MegaParameters => Parameters / 1e6;

    /// <summary>FLOPs (2 × MAC) in billions.</summary>
    public double GigaFlops => Flops / 1e9;

    /// <summary>MACs in billions.</summary>
    public double GigaMacs => MultiplyAccumulates / 1e9;

    /// <summary>Always labelled with units, e.g. "0.8490M params, 0.2510 GFLOPs (2xMAC), 0.1255 GMACs".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{MegaParameters:F4}M params, {GigaFlops:F4} GFLOPs (2xMAC), {GigaMacs:F4} GMACs");
}
