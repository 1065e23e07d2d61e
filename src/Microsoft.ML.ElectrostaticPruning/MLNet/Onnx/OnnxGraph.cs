using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.ElectrostaticPruning.Onnx;

/// <summary>
/// Emits ONNX nodes and initializers into ML.NET's <see cref="OnnxContext"/> with unique, readable names. Every op it
/// writes has the same meaning at opset 12 (what ML.NET's converter declares) and at every opset up to
/// <see cref="OnnxOpset.Maximum"/>, so a model it builds can be declared at either.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>Prefix of every variable, node and initializer this exporter creates, so they never collide with column names.</summary>
    public const string Prefix = "ep.";

    private readonly OnnxContext _ctx;

    /// <summary>Wraps <paramref name="ctx"/>.</summary>
    public OnnxGraph(OnnxContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        _ctx = ctx;
    }

    /// <summary>The underlying context.</summary>
    public OnnxContext Context => _ctx;

    /// <summary>A float tensor constant.</summary>
    public string Floats(string name, float[] values, long[] dims) =>
        _ctx.AddInitializer(values, dims, Prefix + name, makeUniqueName: true);

    /// <summary>An int64 tensor constant.</summary>
    public string Longs(string name, long[] values, long[] dims) =>
        _ctx.AddInitializer(values, dims, Prefix + name, makeUniqueName: true);

    /// <summary>An int64 scalar constant.</summary>
    public string Long(string name, long value) =>
        _ctx.AddInitializer(value, Prefix + name, makeUniqueName: true);

    /// <summary>A float scalar constant.</summary>
    public string Float(string name, float value) =>
        _ctx.AddInitializer(value, Prefix + name, makeUniqueName: true);

    /// <summary>
    /// Adds node <paramref name="opType"/> reading <paramref name="inputs"/> and writing one new intermediate variable
    /// named after <paramref name="name"/>; returns the variable and the node (for attributes).
    /// </summary>
    public (string Output, OnnxNode Node) Node(string opType, string name, params string[] inputs)
    {
        // skip: no value_info for intermediates; ONNX Runtime infers their shapes.
        string output = _ctx.AddIntermediateVariable(NumberDataViewType.Single, Prefix + name, skip: true);
        return (output, NodeInto(opType, name, output, inputs));
    }

    /// <summary>Adds node <paramref name="opType"/> writing the existing variable <paramref name="output"/>.</summary>
    public OnnxNode NodeInto(string opType, string name, string output, params string[] inputs) =>
        _ctx.CreateNode(opType, inputs, [output], _ctx.GetNodeName(Prefix + name), string.Empty);
}
