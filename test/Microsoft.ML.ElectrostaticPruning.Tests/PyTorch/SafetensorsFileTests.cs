using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.PyTorch;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>The safetensors writer and header checks, in C# alone (no Python).</summary>
public sealed class SafetensorsFileTests
{
    [Fact]
    public void WrittenTensorsOfEveryDtypeReadBackBitForBitWithPyBridgeAndTheHeaderReader()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("weight", randn(3, 2, 3, 3)),
            new("counter", tensor(41L)),
            new("double", randn(5, dtype: ScalarType.Float64)),
            new("half", randn(7).to(ScalarType.Float16)),
            new("bfloat", randn(2, 3).to(ScalarType.BFloat16)),
            new("int", randint(-100, 100, [4], dtype: ScalarType.Int32)),
            new("bytes", randint(0, 255, [9], dtype: ScalarType.Byte)),
            new("flags", randint(0, 2, [6]).to(ScalarType.Bool)),
            new("empty", zeros(0, 4)),
            new("strided", randn(4, 6).t()),
        };
        var metadata = new Dictionary<string, string> { ["architecture"] = "ResNet20", ["note"] = "ünïcode \"quoted\"" };
        using var stream = new MemoryStream();

        SafetensorsFile.Write(stream, tensors, metadata);

        byte[] bytes = stream.ToArray();
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal((byte)'{', bytes[8]);
        var header = SafetensorsFile.ReadHeader(new MemoryStream(bytes), "memory");
        Assert.Equal(metadata, header.Metadata);
        Assert.Equal(tensors.Select(t => t.Key), header.Entries.Select(e => e.Name));
        Assert.Equal(["F32", "I64", "F64", "F16", "BF16", "I32", "U8", "BOOL", "F32", "F32"], header.Entries.Select(e => e.DType));
        Assert.Empty(header.Entries[1].Shape);
        Assert.Equal(bytes.Length, header.DataStart + header.Entries[^1].End);

        var read = Safetensors.LoadStateDict(new MemoryStream(bytes));
        Assert.Equal(tensors.Count, read.Count);
        foreach (var (name, expected) in tensors)
        {
            Assert.Equal(expected.dtype, read[name].dtype);
            Assert.Equal(expected.shape, read[name].shape);
            Assert.True(expected.equal(read[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void ATruncatedFileIsReportedWhereItEnds()
    {
        byte[] bytes = Written();
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);

        Assert.Contains("fewer than the 8-byte header length", Header(bytes[..5]).Message);
        Assert.Contains("it ends inside the JSON header", Header(bytes[..(int)(headerLength / 2)]).Message);
        var inData = Header(bytes[..^7]);
        Assert.StartsWith("Truncated safetensors file 'test.safetensors': it ends inside tensor 'b'", inData.Message);
    }

    [Fact]
    public void CorruptHeadersAreNamed()
    {
        Assert.Contains("its header is not valid JSON", Header(WithHeader("{\"a\": {\"dtype\": \"F32\"")).Message);
        Assert.Contains("tensor 'a' has dtype F8_E4M3, which cannot be read", Header(WithHeader("{\"a\": {\"dtype\": \"F8_E4M3\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2)).Message);
        Assert.Contains("is F32 of shape [2], 8 bytes, but its data_offsets span 4 bytes", Header(WithHeader("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4)).Message);
        Assert.Contains("the data must have no gaps or overlaps", Header(WithHeader("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8)).Message);
        Assert.Contains("4 bytes follow the last tensor's data", Header(WithHeader("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 8)).Message);
        Assert.Contains("value 'n' is a JSON Number, not a string", Header(WithHeader("{\"__metadata__\": {\"n\": 1}}")).Message);
    }

    [Fact]
    public void ATruncatedSafetensorsFileFailsInTheLoaderNamingTheFile()
    {
        using var folder = new TempFolder();
        using var network = CnnZoo.Create(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);
        string path = folder.File("resnet20.safetensors");
        PyTorchExport.Save(network, path);
        byte[] bytes = File.ReadAllBytes(path);
        string last = SafetensorsFile.ReadHeader(new MemoryStream(bytes), path).Entries[^1].Name;
        File.WriteAllBytes(path, bytes[..^1]);

        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10));

        Assert.StartsWith($"Truncated safetensors file '{path}': it ends inside tensor '{last}'", error.Message);
    }

    [Fact]
    public void SavingIsAtomicAndAFoldedNetworkIsRefused()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        string path = folder.File("smallcnn.safetensors");
        File.WriteAllText(path, "old content");
        using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);
        using var pruned = FilterPruner.Prune(network, PruningPlan.Uniform(0.5)).Network;

        PyTorchExport.Save(pruned, path);

        Assert.Equal(["smallcnn.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
        using var loaded = PyTorchWeights.Load(path, CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10).Network;
        Assert.Equal(pruned.Widths, loaded.Widths);
        Assert.True(TestNetworks.SameState(pruned.state_dict(), loaded.state_dict()));
        using var folded = pruned.ForInference();
        var error = Assert.Throws<ArgumentException>(() => PyTorchExport.Save(folded, folder.File("folded.safetensors")));
        Assert.Contains("save the trainable network for PyTorch", error.Message);
        Assert.Throws<ArgumentException>(() => PyTorchExport.Save(pruned, folder.File("names.safetensors"), ["only one"]));
        Assert.Equal(["smallcnn.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void UnknownFilesAndOtherZipsAreRefusedByContent()
    {
        using var folder = new TempFolder();
        var shape = new ImageShape(3, 32, 32);
        string text = folder.File("weights.pth");
        File.WriteAllText(text, "not weights at all");
        string zip = folder.File("model.zip");
        using (var archive = new System.IO.Compression.ZipArchive(File.Create(zip), System.IO.Compression.ZipArchiveMode.Create))
        {
            archive.CreateEntry("Model/Schema");
        }

        string empty = folder.File("empty.safetensors");
        File.WriteAllBytes(empty, []);

        Assert.Contains("is neither a PyTorch checkpoint", Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(text, CnnArchitecture.ResNet20, shape, 10)).Message);
        Assert.Contains("is a zip file but not a PyTorch checkpoint: it has no data.pkl entry", Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(zip, CnnArchitecture.ResNet20, shape, 10)).Message);
        Assert.Contains("is empty", Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(empty, CnnArchitecture.ResNet20, shape, 10)).Message);
        Assert.Throws<FileNotFoundException>(() => PyTorchWeights.Load(folder.File("absent.pth"), CnnArchitecture.ResNet20, shape, 10));
    }

    private static InvalidDataException Header(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => SafetensorsFile.ReadHeader(new MemoryStream(bytes), "test.safetensors"));

    private static byte[] Written()
    {
        using var scope = NewDisposeScope();
        using var stream = new MemoryStream();
        SafetensorsFile.Write(stream, [new("a", ones(3)), new("b", zeros(2, 2))]);
        return stream.ToArray();
    }

    // A file with the given JSON header followed by dataBytes zero bytes.
    private static byte[] WithHeader(string json, int dataBytes = 0)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }
}
