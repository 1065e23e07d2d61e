using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

public sealed class NetworkSerializerTests
{
    [Theory]
    [InlineData(CnnArchitecture.ResNet20, "[0, 0.5, 0.6, 0.4, 0]")]
    [InlineData(CnnArchitecture.Vgg11, "[0:0, 1-7:0.65]")]
    [InlineData(CnnArchitecture.SmallCnn, "0.5")]
    public void APrunedNetworkRoundTripsWithIdenticalOutputs(CnnArchitecture architecture, string plan)
    {
        using var scope = NewDisposeScope();
        var shape = architecture == CnnArchitecture.SmallCnn ? new ImageShape(1, 28, 28) : new ImageShape(3, 32, 32);
        using var dense = TestNetworks.CreateWithRandomBatchNorm(architecture, shape, 10);
        using var pruned = FilterPruner.Prune(dense, PruningPlan.Parse(plan)).Network;
        using var stream = new MemoryStream();

        NetworkSerializer.Save(pruned, stream);
        stream.Position = 0;
        using var loaded = NetworkSerializer.Load(stream);

        Assert.Equal(pruned.Architecture, loaded.Architecture);
        Assert.Equal(pruned.Widths, loaded.Widths);
        Assert.Equal(shape, loaded.InputShape);
        Assert.True(TestNetworks.SameState(pruned.state_dict(), loaded.state_dict()));
        var input = randn(3, shape.Channels, shape.Height, shape.Width);
        Assert.True(TestNetworks.Predict(pruned, input).equal(TestNetworks.Predict(loaded, input)).all().item<bool>());
    }

    [Fact]
    public void SavingToAFileIsAtomicAndLeavesNoTemporaryFiles()
    {
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("ep-serializer-").FullName;
        try
        {
            string path = Path.Combine(folder, "net.bin");
            File.WriteAllText(path, "old content");
            using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);

            NetworkSerializer.Save(network, path);
            using var loaded = NetworkSerializer.Load(path);

            Assert.Equal(["net.bin"], Directory.GetFiles(folder).Select(Path.GetFileName));
            Assert.True(TestNetworks.SameState(network.state_dict(), loaded.state_dict()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ATruncatedFileFailsWithAClearMessage()
    {
        byte[] bytes = SavedResNet20();

        foreach (int length in new[] { 0, 5, 14, 100, bytes.Length / 2, bytes.Length - 1 })
        {
            var error = Assert.Throws<InvalidDataException>(() => NetworkSerializer.Load(new MemoryStream(bytes[..length])));
            Assert.StartsWith("Truncated network file: it ends inside", error.Message);
        }
    }

    [Fact]
    public void ACorruptedByteIsDetectedByTheChecksum()
    {
        byte[] bytes = SavedResNet20();
        bytes[bytes.Length / 2] ^= 0x40;

        var error = Assert.Throws<InvalidDataException>(() => NetworkSerializer.Load(new MemoryStream(bytes)));

        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void AFileThatIsNotOursIsRejectedBySignature()
    {
        var error = Assert.Throws<InvalidDataException>(() => NetworkSerializer.Load(new MemoryStream("PK\u0003\u0004 this is a zip file"u8.ToArray())));

        Assert.Contains("Not an ElectrostaticPruning network", error.Message);
    }

    [Fact]
    public void AnUnknownFormatVersionIsNamed()
    {
        byte[] bytes = SavedResNet20();
        bytes[8] = 9;

        var error = Assert.Throws<InvalidDataException>(() => NetworkSerializer.Load(new MemoryStream(bytes)));

        Assert.Contains("format version 9 is not supported", error.Message);
    }

    [Fact]
    public void TheInputNormalizationRoundTripsAndAVersion1FileLoadsWithoutOne()
    {
        using var scope = NewDisposeScope();
        using var network = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);
        byte[] plain = Saved(network);
        network.InputNormalization = InputNormalization.ImageNet;
        byte[] normalized = Saved(network);

        using var withNormalization = NetworkSerializer.Load(new MemoryStream(normalized));
        Assert.Equal(InputNormalization.ImageNet, withNormalization.InputNormalization);

        // Version 2 without a normalization writes the version 1 specification (the new fields are left out), so
        // changing the version field gives the file version 1 wrote; the checksum covers only the spec and the weights.
        Assert.Equal(2, plain[8]);
        plain[8] = 1;
        using var version1 = NetworkSerializer.Load(new MemoryStream(plain));
        Assert.Null(version1.InputNormalization);
        Assert.True(TestNetworks.SameState(network.state_dict(), version1.state_dict()));

        normalized[8] = 1;
        var error = Assert.Throws<InvalidDataException>(() => NetworkSerializer.Load(new MemoryStream(normalized)));
        Assert.Contains("a version 1 specification cannot hold an input normalization", error.Message);
    }

    private static byte[] Saved(CnnNetwork network)
    {
        using var stream = new MemoryStream();
        NetworkSerializer.Save(network, stream);
        return stream.ToArray();
    }

    private static byte[] SavedResNet20()
    {
        using var network = CnnZoo.Create(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);
        using var stream = new MemoryStream();
        NetworkSerializer.Save(network, stream);
        return stream.ToArray();
    }
}
