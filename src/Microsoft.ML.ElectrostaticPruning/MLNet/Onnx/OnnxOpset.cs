namespace Microsoft.ML.ElectrostaticPruning.Onnx;

/// <summary>The ONNX opsets the exporter can declare, and the IR version each needs.</summary>
internal static class OnnxOpset
{
    /// <summary>What <c>mlContext.Model.ConvertToOnnx</c> declares (ML.NET 5's converter: 9 to 12, default 12).</summary>
    public const int MlNet = 12;

    /// <summary>The default of <see cref="ElectrostaticOnnxExtensions.ExportToOnnx(ModelOperationsCatalog, ITransformer, IDataView, Stream, int, string[])"/>.</summary>
    public const int Default = 13;

    /// <summary>The highest opset the export declares (ONNX 1.16, IR 10).</summary>
    public const int Maximum = 21;

    /// <summary>
    /// Ops of the default domain that a graph written for opset 12 may keep when it is declared at any opset from 13 to
    /// <see cref="Maximum"/>: their later versions only add types or optional inputs/attributes whose defaults keep
    /// the opset-12 meaning. Softmax is allowed only with axis -1 (opset 13 changed what other axes mean; the
    /// exporter checks the attribute). Squeeze, Unsqueeze, ReduceSum, Split and the like (axes moved from attributes to
    /// inputs at 13) are not.
    /// </summary>
    public static readonly IReadOnlySet<string> StableOps = new HashSet<string>(StringComparer.Ordinal)
    {
        "Add", "ArgMax", "Cast", "Concat", "Conv", "Div", "Flatten", "Gemm", "GlobalAveragePool", "Identity", "MaxPool",
        "Mul", "Pad", "Relu", "Reshape", "Slice", "Softmax", "Sub",
    };

    /// <summary>The IR version that introduced <paramref name="opset"/> (ONNX releases 1.8 to 1.16).</summary>
    public static long IrVersionFor(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    /// <summary>Checks that <paramref name="opset"/> is one the export can declare.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is outside 13 ... <see cref="Maximum"/>.</exception>
    public static void Validate(int opset, string parameterName)
    {
        if (opset < Default || opset > Maximum)
        {
            throw new ArgumentOutOfRangeException(parameterName, opset, $"The ONNX opset must be between {Default} and {Maximum} (mlContext.Model.ConvertToOnnx writes opset {MlNet}).");
        }
    }
}
