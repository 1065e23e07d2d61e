using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Checks of the input schema, with messages that name the column, the expected and the actual type, in the style
/// of ML.NET's own "Schema mismatch" errors (<see cref="ArgumentOutOfRangeException"/> on the schema parameter).
/// </summary>
internal static class SchemaValidation
{
    /// <summary>Returns the feature column: a known-size vector of Single, of <paramref name="expectedSize"/> values when that is positive.</summary>
    public static DataViewSchema.Column RequireFeatureColumn(DataViewSchema schema, string name, DataSetRole role, int expectedSize = 0)
    {
        var column = RequireColumn(schema, name, "feature", role);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single)
        {
            throw Mismatch("feature", name, role, "a vector of Single (e.g. from ExtractPixels)", column.Type);
        }

        if (!vector.IsKnownSize)
        {
            throw Mismatch("feature", name, role, "a vector of Single of known size (C x H x W); resize the images first (ResizeImages)", column.Type);
        }

        if (expectedSize > 0 && vector.Size != expectedSize)
        {
            throw Mismatch("feature", name, role, $"Vector<Single, {expectedSize}>, the size the model was trained on", column.Type);
        }

        return column;
    }

    /// <summary>Returns the label column, which must be a key type with a known number of classes, at least 2.</summary>
    public static DataViewSchema.Column RequireLabelColumn(DataViewSchema schema, string name, DataSetRole role)
    {
        var column = RequireColumn(schema, name, "label", role);
        if (column.Type is not KeyDataViewType key)
        {
            throw new ArgumentOutOfRangeException(
                nameof(schema),
                $"Schema mismatch for label column '{name}'{role.Origin}: expected Key, got {column.Type}. Use mlContext.Transforms.Conversion.MapValueToKey(\"{name}\") first.");
        }

        if (key.Count < 2 || key.Count > int.MaxValue)
        {
            throw Mismatch("label", name, role, "a key type with at least 2 classes", column.Type);
        }

        return column;
    }

    /// <summary>
    /// The image shape implied by a feature column's dimensions: C x H x W when the vector type carries three
    /// dimensions (as ExtractPixels' output does), null otherwise.
    /// </summary>
    public static (int Channels, int Height, int Width)? ShapeFromDimensions(VectorDataViewType vector) =>
        vector.Dimensions.Length == 3 && vector.Dimensions.All(d => d > 0)
            ? (vector.Dimensions[0], vector.Dimensions[1], vector.Dimensions[2])
            : null;

    /// <summary>
    /// The square image shape a flat size implies: s x s grayscale when the size is a perfect square, 3 x s x s colour when a
    /// third of it is; never both, since 3 s² = t² has no integer solution. Null when neither holds.
    /// </summary>
    public static (int Channels, int Height, int Width)? ShapeFromSize(int size)
    {
        int side = SquareRoot(size);
        if (side > 0)
        {
            return (1, side, side);
        }

        side = size % 3 == 0 ? SquareRoot(size / 3) : 0;
        return side > 0 ? (3, side, side) : null;
    }

    private static int SquareRoot(int value)
    {
        if (value <= 0)
        {
            return 0;
        }

        int root = (int)Math.Round(Math.Sqrt(value));
        return root * root == value ? root : 0;
    }

    private static DataViewSchema.Column RequireColumn(DataViewSchema schema, string name, string columnRole, DataSetRole role)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var column = schema.GetColumnOrNull(name);
        if (column is null)
        {
            var visible = schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'");
            string where = role == DataSetRole.Training ? string.Empty : $" in {role.Name}";
            throw new ArgumentOutOfRangeException(
                nameof(schema),
                $"Could not find {columnRole} column '{name}'{where}. The data has the columns {string.Join(", ", visible)}; {role.AdviceFor(columnRole)}.");
        }

        return column.Value;
    }

    private static ArgumentOutOfRangeException Mismatch(string columnRole, string name, DataSetRole role, string expected, DataViewType actual) =>
        new("schema", $"Schema mismatch for {columnRole} column '{name}'{role.Origin}: expected {expected}, got {actual}.");
}
