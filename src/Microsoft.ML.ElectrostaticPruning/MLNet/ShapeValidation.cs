using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>The estimator-level (<see cref="SchemaShape"/>) counterparts of <see cref="SchemaValidation"/>'s checks, with the same messages.</summary>
internal static class ShapeValidation
{
    /// <summary>The label column, which must be a key.</summary>
    public static SchemaShape.Column RequireLabel(SchemaShape schema, string name)
    {
        var column = Require(schema, name, "label");
        return column.IsKey
            ? column
            : throw new ArgumentOutOfRangeException(
                nameof(schema),
                $"Schema mismatch for label column '{name}': expected Key, got {column.GetTypeString()}. Use mlContext.Transforms.Conversion.MapValueToKey(\"{name}\") first.");
    }

    /// <summary>The feature column, which must be a known-size vector of Single.</summary>
    public static SchemaShape.Column RequireFeatures(SchemaShape schema, string name)
    {
        var column = Require(schema, name, "feature");
        return column.Kind == SchemaShape.Column.VectorKind.Vector && column.ItemType == NumberDataViewType.Single && !column.IsKey
            ? column
            : throw new ArgumentOutOfRangeException(
                nameof(schema),
                $"Schema mismatch for feature column '{name}': expected a vector of Single of known size (C x H x W), got {column.GetTypeString()}.");
    }

    private static SchemaShape.Column Require(SchemaShape schema, string name, string role) =>
        schema.TryFindColumn(name, out var column)
            ? column
            : throw new ArgumentOutOfRangeException(
                nameof(schema),
                $"Could not find {role} column '{name}'. The data has the columns {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}; set the {role} column name option to one of them.");
}
