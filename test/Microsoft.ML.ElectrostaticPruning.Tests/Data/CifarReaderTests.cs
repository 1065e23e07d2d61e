using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Data;

public sealed class CifarReaderTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void Cifar10RecordsBecomeRgbPlanesAndKeyedLabels()
    {
        using var temp = new TempFolder();
        string file = temp.File("data_batch_1.bin");
        // Record r: label (3 * r + 1) % 10, red plane all r, green plane all 100, blue plane = pixel index % 256.
        WriteRecords(file, labelBytes: r => [(byte)(((3 * r) + 1) % 10)], records: 4);

        var view = _ml.Data.LoadFromCifarBinaryFiles([file]);

        Assert.Equal(4, view.GetRowCount());
        Assert.Equal(new[] { 3, 32, 32 }, Assert.IsType<VectorDataViewType>(view.Schema["Features"].Type).Dimensions.ToArray());
        Assert.Equal(new uint[] { 2, 5, 8, 1 }, view.GetColumn<uint>("Label").ToArray());
        VBuffer<ReadOnlyMemory<char>> names = default;
        view.Schema["Label"].GetKeyValues(ref names);
        Assert.Equal("automobile", names.GetValues()[1].ToString());

        float[] third = view.GetColumn<float[]>("Features").Skip(2).First();
        Assert.Equal(2 * (1f / 255), third[0]);
        Assert.Equal(2 * (1f / 255), third[1023]);
        Assert.Equal(100 * (1f / 255), third[1024]);
        Assert.Equal(0f, third[2048]);
        Assert.Equal(255 * (1f / 255), third[2048 + 255]);
    }

    [Fact]
    public void Cifar100ReadsFineOrCoarseLabelsAndNamesFromTheMetaFile()
    {
        using var temp = new TempFolder();
        string file = temp.File("train.bin");
        WriteRecords(file, labelBytes: r => [(byte)(r + 10), (byte)(r + 90)], records: 3);
        File.WriteAllLines(temp.File("coarse_label_names.txt"), Enumerable.Range(0, 20).Select(i => $"super{i}"));

        var fine = _ml.Data.LoadFromCifarBinaryFiles([file], CifarFormat.Cifar100Fine);
        var coarse = _ml.Data.LoadFromCifarBinaryFiles([file], CifarFormat.Cifar100Coarse);

        Assert.Equal(100UL, Assert.IsType<KeyDataViewType>(fine.Schema["Label"].Type).Count);
        Assert.Equal(new uint[] { 91, 92, 93 }, fine.GetColumn<uint>("Label").ToArray());
        Assert.Equal(20UL, Assert.IsType<KeyDataViewType>(coarse.Schema["Label"].Type).Count);
        Assert.Equal(new uint[] { 11, 12, 13 }, coarse.GetColumn<uint>("Label").ToArray());
        VBuffer<ReadOnlyMemory<char>> names = default;
        coarse.Schema["Label"].GetKeyValues(ref names);
        Assert.Equal("super12", names.GetValues()[12].ToString());
        fine.Schema["Label"].GetKeyValues(ref names);
        Assert.Equal("99", names.GetValues()[99].ToString());
    }

    [Fact]
    public void SeveralFilesAreConcatenatedInOrder()
    {
        using var temp = new TempFolder();
        WriteRecords(temp.File("a.bin"), r => [(byte)r], records: 2);
        WriteRecords(temp.File("b.bin"), r => [(byte)(9 - r)], records: 3);

        var view = _ml.Data.LoadFromCifarBinaryFiles([temp.File("a.bin"), temp.File("b.bin")]);

        Assert.Equal(new uint[] { 1, 2, 10, 9, 8 }, view.GetColumn<uint>("Label").ToArray());
    }

    [Fact]
    public void AFileThatIsNotAWholeNumberOfRecordsIsRejected()
    {
        using var temp = new TempFolder();
        string file = temp.File("data_batch_1.bin");
        WriteRecords(file, r => [1], records: 2);
        using (var stream = File.OpenWrite(file))
        {
            stream.SetLength(3073 + 100);
        }

        var ex = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromCifarBinaryFiles([file]));
        Assert.Contains("not a positive multiple of the 3073-byte record", ex.Message);
    }

    [Fact]
    public void ACifar100FileReadAsCifar10IsRejected()
    {
        using var temp = new TempFolder();
        string file = temp.File("train.bin");
        WriteRecords(file, r => [5, 50], records: 3073); // 3073 records of 3074 bytes is also a multiple of 3073

        var ex = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromCifarBinaryFiles([file], CifarFormat.Cifar10));
        Assert.Contains("outside 0..9", ex.Message);
    }

    private static void WriteRecords(string path, Func<int, byte[]> labelBytes, int records)
    {
        using var stream = File.Create(path);
        for (int r = 0; r < records; r++)
        {
            stream.Write(labelBytes(r));
            var pixels = new byte[3072];
            Array.Fill(pixels, (byte)r, 0, 1024);
            Array.Fill(pixels, (byte)100, 1024, 1024);
            for (int i = 0; i < 1024; i++)
            {
                pixels[2048 + i] = (byte)(i % 256);
            }

            stream.Write(pixels);
        }
    }
}
