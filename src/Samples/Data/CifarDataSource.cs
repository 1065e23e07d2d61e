namespace ElectrostaticPruning.Samples.Data;

/// <summary>CIFAR-10 (data_batch_*.bin, test_batch.bin) or CIFAR-100 (train.bin, test.bin) binary files.</summary>
internal sealed record CifarDataSource(string Root, bool IsCifar100, IReadOnlyList<string> TrainFiles, IReadOnlyList<string> TestFiles)
    : DataSource(Root)
{
    /// <inheritdoc/>
    public override string FormatName => IsCifar100 ? "CIFAR-100 binary" : "CIFAR-10 binary";

    /// <inheritdoc/>
    public override bool HasTestSplit => TestFiles.Count > 0;
}
