using ElectrostaticPruning.Samples.Data;
using ElectrostaticPruning.Samples.Infrastructure;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

public sealed class DataSourceDetectorTests
{
    [Fact]
    public void TheEmbeddedFashionMnistSubsetIsRecognisedAsIdxWithBothSplits()
    {
        var data = RepositoryLocator.FindEmbeddedData([AppContext.BaseDirectory]);

        var source = Assert.IsType<IdxDataSource>(DataSourceDetector.Detect(data));

        Assert.Equal("train-images-idx3-ubyte.gz", Path.GetFileName(source.TrainImages));
        Assert.Equal("train-labels-idx1-ubyte.gz", Path.GetFileName(source.TrainLabels));
        Assert.Equal("t10k-images-idx3-ubyte.gz", Path.GetFileName(source.TestImages));
        Assert.Equal("t10k-labels-idx1-ubyte.gz", Path.GetFileName(source.TestLabels));
        Assert.True(source.HasTestSplit);
    }

    [Fact]
    public void AnUncompressedIdxFileIsPreferredOverItsGzipCopy()
    {
        using var folder = new TempFolder();
        folder.File("train-images-idx3-ubyte.gz");
        folder.File("train-images-idx3-ubyte");
        folder.File("train-labels-idx1-ubyte.gz");

        var source = Assert.IsType<IdxDataSource>(DataSourceDetector.Detect(folder.Path));

        Assert.Equal("train-images-idx3-ubyte", Path.GetFileName(source.TrainImages));
        Assert.Equal("train-labels-idx1-ubyte.gz", Path.GetFileName(source.TrainLabels));
        Assert.Null(source.TestImages);
        Assert.False(source.HasTestSplit);
    }

    [Fact]
    public void IdxImagesWithoutTheirLabelsFileAreRejectedNamingTheMissingFile()
    {
        using var folder = new TempFolder();
        folder.File("train-images-idx3-ubyte.gz");
        folder.File("train-labels-idx1-ubyte.gz");
        folder.File("t10k-images-idx3-ubyte.gz");

        var error = Assert.Throws<InvalidDataException>(() => DataSourceDetector.Detect(folder.Path));

        Assert.Contains("t10k-labels-idx1-ubyte[.gz]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CifarTenBatchesAreOrderedNumericallyAndFoundInsideTheArchiveFolder()
    {
        using var folder = new TempFolder();
        foreach (var n in new[] { 10, 2, 1 })
        {
            folder.File($"cifar-10-batches-bin/data_batch_{n}.bin");
        }

        folder.File("cifar-10-batches-bin/test_batch.bin");
        folder.File("cifar-10-batches-bin/batches.meta.txt");

        var source = Assert.IsType<CifarDataSource>(DataSourceDetector.Detect(folder.Path));

        Assert.False(source.IsCifar100);
        Assert.Equal(["data_batch_1.bin", "data_batch_2.bin", "data_batch_10.bin"], source.TrainFiles.Select(Path.GetFileName));
        Assert.Equal(["test_batch.bin"], source.TestFiles.Select(Path.GetFileName));
        Assert.Equal(folder.Path, source.Root);
    }

    [Fact]
    public void TrainAndTestBinFilesAreCifarHundred()
    {
        using var folder = new TempFolder();
        folder.File("train.bin");
        folder.File("test.bin");

        var source = Assert.IsType<CifarDataSource>(DataSourceDetector.Detect(folder.Path));

        Assert.True(source.IsCifar100);
        Assert.Equal("CIFAR-100 binary", source.FormatName);
        Assert.Single(source.TestFiles);
    }

    [Fact]
    public void ClassFoldersUnderTrainAndTestGiveTwoSplitsWithSortedClassNames()
    {
        using var folder = new TempFolder();
        folder.File("train/dog/a.png");
        folder.File("train/cat/b.JPG");
        folder.File("train/notes/readme.txt");
        folder.File("test/cat/c.png");

        var source = Assert.IsType<ImageFolderDataSource>(DataSourceDetector.Detect(folder.Path));

        Assert.Equal(["cat", "dog"], source.ClassNames);
        Assert.Equal(Path.Combine(folder.Path, "train"), source.TrainFolder);
        Assert.Equal(Path.Combine(folder.Path, "test"), source.TestFolder);
    }

    [Fact]
    public void ClassFoldersWithoutSplitsGiveOneSplit()
    {
        using var folder = new TempFolder();
        folder.File("shirt/1.png");
        folder.File("shoe/nested/2.bmp");

        var source = Assert.IsType<ImageFolderDataSource>(DataSourceDetector.Detect(folder.Path));

        Assert.Equal(["shirt", "shoe"], source.ClassNames);
        Assert.Null(source.TestFolder);
        Assert.False(source.HasTestSplit);
    }

    [Fact]
    public void ASingleClassFolderIsRejectedBecauseAClassifierNeedsTwoClasses()
    {
        using var folder = new TempFolder();
        folder.File("shirt/1.png");

        var error = Assert.Throws<InvalidDataException>(() => DataSourceDetector.Detect(folder.Path));

        Assert.Contains("only one class ('shirt')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TestClassesThatTrainingLacksAreRejected()
    {
        using var folder = new TempFolder();
        folder.File("train/cat/a.png");
        folder.File("train/dog/a.png");
        folder.File("test/cow/a.png");

        var error = Assert.Throws<InvalidDataException>(() => DataSourceDetector.Detect(folder.Path));

        Assert.Contains("cow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderWithoutDataListsTheThreeAcceptedLayouts()
    {
        using var folder = new TempFolder();
        folder.File("readme.txt");

        var error = Assert.Throws<InvalidDataException>(() => DataSourceDetector.Detect(folder.Path));

        Assert.Contains("IDX", error.Message, StringComparison.Ordinal);
        Assert.Contains("data_batch_*.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("subfolder of images per class", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFolderAndAFileAreRejectedWithTheOptionName()
    {
        using var folder = new TempFolder();
        var file = folder.File("train-images-idx3-ubyte.gz");

        var missing = Assert.Throws<DirectoryNotFoundException>(() => DataSourceDetector.Detect(Path.Combine(folder.Path, "nope")));
        var notFolder = Assert.Throws<ArgumentException>(() => DataSourceDetector.Detect(file));

        Assert.StartsWith("--data folder", missing.Message, StringComparison.Ordinal);
        Assert.StartsWith("--data must be a folder", notFolder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoDataSetsSideBySideAreAmbiguous()
    {
        using var folder = new TempFolder();
        folder.File("a/train.bin");
        folder.File("b/data_batch_1.bin");

        var error = Assert.Throws<InvalidDataException>(() => DataSourceDetector.Detect(folder.Path));

        Assert.Contains("several data sets", error.Message, StringComparison.Ordinal);
    }
}
