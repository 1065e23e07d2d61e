using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Reads a feature column and a key label column of an <see cref="IDataView"/> into flat arrays, validating every row:
/// feature length, finite values, labels inside the key range. Errors name the row, the column and the slot.
/// </summary>
internal static class TrainingDataReader
{
    /// <summary>
    /// Reads all rows. Features are copied image after image (N x <paramref name="featureSize"/>); labels are class indices
    /// 0..K-1 (key value minus one).
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="features">Feature column (a known-size vector of Single, already checked).</param>
    /// <param name="label">Label column (a key type with K classes, already checked); null to read the features only (every label 0).</param>
    /// <param name="featureSize">Values per image.</param>
    /// <param name="role">What the data is, for messages ("the training data", "the validation set (Options.ValidationSet)").</param>
    /// <param name="stop">Checked once per 1024 rows.</param>
    /// <exception cref="InvalidOperationException">A feature is not finite or a label is missing or outside the key range.</exception>
    public static (float[] Features, int[] Labels) Read(IDataView data, DataViewSchema.Column features, DataViewSchema.Column? label, int featureSize, string role, TrainingStop stop = default)
    {
        ulong classes = label is { } labelColumn ? ((KeyDataViewType)labelColumn.Type).Count : 1;
        long? rowCount = data.GetRowCount();
        int capacity = rowCount is > 0 and < int.MaxValue ? (int)rowCount.Value : 1024;
        var featureValues = new float[checked(capacity * featureSize)];
        var labels = new int[capacity];

        using var cursor = data.GetRowCursor(label is { } read ? [features, read] : [features]);
        var featureGetter = cursor.GetGetter<VBuffer<float>>(features);
        var labelGetter = label is { } column ? KeyGetter(cursor, column) : () => 1UL;
        VBuffer<float> buffer = default;
        int count = 0;
        while (cursor.MoveNext())
        {
            if ((count & 1023) == 0)
            {
                stop.ThrowIfStopped();
            }

            if (count == labels.Length)
            {
                Array.Resize(ref labels, checked(labels.Length * 2));
                Array.Resize(ref featureValues, checked(labels.Length * featureSize));
            }

            ulong key = labelGetter();
            if (key == 0 || key > classes)
            {
                throw new InvalidOperationException(key == 0
                    ? $"Row {count} of {role}: label column '{label!.Value.Name}' holds a missing key (0), i.e. a value that is not one of the {classes} known classes. Filter such rows or build the key dictionary from all labels."
                    : $"Row {count} of {role}: label column '{label!.Value.Name}' holds key {key}, outside the key range 1..{classes}.");
            }

            labels[count] = (int)(key - 1);
            featureGetter(ref buffer);
            if (buffer.Length != featureSize)
            {
                throw new InvalidOperationException($"Row {count} of {role}: feature column '{features.Name}' has {buffer.Length} values, expected {featureSize}.");
            }

            var destination = featureValues.AsSpan(count * featureSize, featureSize);
            buffer.CopyTo(destination);
            int bad = IndexOfNonFinite(destination);
            if (bad >= 0)
            {
                throw new InvalidOperationException(
                    $"Row {count} of {role}: feature column '{features.Name}' holds {destination[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)} at slot {bad}; the network can only train on finite values. Remove or replace such rows first (e.g. mlContext.Data.FilterRowsByMissingValues or mlContext.Transforms.ReplaceMissingValues).");
            }

            count++;
        }

        Array.Resize(ref labels, count);
        Array.Resize(ref featureValues, count * featureSize);
        return (featureValues, labels);
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A getter returning the raw key value as <see cref="ulong"/>, whatever the key's raw type.</summary>
    private static Func<ulong> KeyGetter(DataViewRow row, DataViewSchema.Column label)
    {
        Type raw = label.Type.RawType;
        if (raw == typeof(uint))
        {
            var g = row.GetGetter<uint>(label);
            uint v = 0;
            return () => { g(ref v); return v; };
        }

        if (raw == typeof(byte))
        {
            var g = row.GetGetter<byte>(label);
            byte v = 0;
            return () => { g(ref v); return v; };
        }

        if (raw == typeof(ushort))
        {
            var g = row.GetGetter<ushort>(label);
            ushort v = 0;
            return () => { g(ref v); return v; };
        }

        var g8 = row.GetGetter<ulong>(label);
        ulong v8 = 0;
        return () => { g8(ref v8); return v8; };
    }
}
