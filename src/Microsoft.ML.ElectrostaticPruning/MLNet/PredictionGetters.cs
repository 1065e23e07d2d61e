using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>Getters for the Score and PredictedLabel columns over a probability array.</summary>
internal static class PredictionGetters
{
    /// <summary>Index of the largest of the K scores at <paramref name="offset"/> (the first on ties), or -1 when all are NaN.</summary>
    public static int ArgMax(float[] scores, int offset, int count)
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int k = 0; k < count; k++)
        {
            float v = scores[offset + k];
            if (v > bestValue || (best < 0 && !float.IsNaN(v)))
            {
                best = k;
                bestValue = v;
            }
        }

        return best;
    }

    /// <summary>Copies K scores into a dense VBuffer.</summary>
    public static void CopyScores(float[] scores, int offset, int count, ref VBuffer<float> value)
    {
        var editor = VBufferEditor.Create(ref value, count);
        scores.AsSpan(offset, count).CopyTo(editor.Values);
        value = editor.Commit();
    }

    /// <summary>
    /// A getter of the predicted key (arg-max + 1; 0, the missing key, when every score is NaN) in the label's raw key type.
    /// </summary>
    public static Delegate PredictedLabel(Type rawType, Func<int> argMax) => rawType == typeof(uint)
        ? (ValueGetter<uint>)((ref uint value) => value = (uint)(argMax() + 1))
        : rawType == typeof(byte)
            ? (ValueGetter<byte>)((ref byte value) => value = (byte)(argMax() + 1))
            : rawType == typeof(ushort)
                ? (ValueGetter<ushort>)((ref ushort value) => value = (ushort)(argMax() + 1))
                : rawType == typeof(ulong)
                    ? (ValueGetter<ulong>)((ref ulong value) => value = (ulong)(argMax() + 1))
                    : throw new InvalidOperationException($"Unsupported key raw type {rawType}.");

    /// <summary>Casts a getter, throwing a clear error when the caller asked for the wrong type.</summary>
    public static ValueGetter<TValue> Cast<TValue>(Delegate getter, DataViewSchema.Column column) =>
        getter as ValueGetter<TValue>
        ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
}
