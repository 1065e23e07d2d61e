namespace ElectrostaticPruning.Samples.Data;

/// <summary>Column names the library's readers produce and the trainer reads by default.</summary>
internal static class ColumnNames
{
    /// <summary>The C x H x W pixel vector.</summary>
    public const string Features = "Features";

    /// <summary>The key-typed class label.</summary>
    public const string Label = "Label";
}
