namespace ElectrostaticPruning.Samples.Data;

/// <summary>MNIST / Fashion-MNIST IDX files (raw or .gz): an images file and a labels file per split.</summary>
internal sealed record IdxDataSource(string Root, string TrainImages, string TrainLabels, string? TestImages, string? TestLabels)
    : DataSource(Root)
{
    /// <inheritdoc/>
    public override string FormatName => "IDX (MNIST-style)";

    /// <inheritdoc/>
    public override bool HasTestSplit => TestImages is not null;
}
