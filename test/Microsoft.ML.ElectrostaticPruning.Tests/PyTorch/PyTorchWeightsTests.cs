using System.Diagnostics;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.PyTorch;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>Files written by real PyTorch (1.13, see <see cref="PyTorchReferenceFixture"/>) load into the zoo networks and give PyTorch's logits.</summary>
[Trait("Category", "Slow")]
public sealed class PyTorchWeightsTests(PyTorchReferenceFixture files, ITestOutputHelper output) : IClassFixture<PyTorchReferenceFixture>
{
    private const double Tolerance = 1e-4;
    private static readonly ImageShape Cifar = new(3, 32, 32);

    [Fact]
    public void TorchvisionResNet18GivesPyTorchsLogitsUnfoldedAndFolded()
    {
        using var scope = NewDisposeScope();
        var result = PyTorchWeights.Load(files.File("resnet18.pth"), CnnArchitecture.ResNet18, Cifar, 10);
        using var network = result.Network;

        AssertLogits(network, files.Input, files.Logits("resnet18"), "torchvision resnet18");
        Assert.False(result.ClassifierReplaced);
        Assert.Equal(10, result.FileClassCount);
        Assert.Equal(CnnZoo.DefaultWidths(CnnArchitecture.ResNet18), network.Widths);
        Assert.Null(network.InputNormalization);
        Assert.Contains("122 tensors", result.Description);
        Assert.Contains("torchvision.models.resnet18", result.Description);
        Assert.False(network.training);
    }

    [Fact]
    public void TorchvisionResNet18WithImageNetNormalizationGivesPyTorchsLogitsOnNormalizedImages()
    {
        using var scope = NewDisposeScope();
        var result = PyTorchWeights.Load(files.File("resnet18.pth"), CnnArchitecture.ResNet18, Cifar, 10, new PyTorchLoadOptions(InputNormalization: InputNormalization.ImageNet));
        using var network = result.Network;

        // The network normalizes the raw [0, 1) images itself; PyTorch was given (x - mean) / std.
        AssertLogits(network, files.Input, files.Logits("resnet18_normalized"), "torchvision resnet18, ImageNet normalization");
        Assert.Equal(InputNormalization.ImageNet, network.InputNormalization);
        Assert.Contains("input normalization mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]", result.Description);
        double effect = (files.Logits("resnet18_normalized") - files.Logits("resnet18")).abs().max().item<float>();
        Assert.True(effect > 0.1, $"normalization changed PyTorch's logits by only {effect}; the comparison could not fail");
    }

    [Fact]
    public void AkamasterResNet20GivesPyTorchsLogitsUnfoldedAndFolded()
    {
        using var scope = NewDisposeScope();
        var result = PyTorchWeights.Load(files.File("resnet20.pth"), CnnArchitecture.ResNet20, Cifar, 10);
        using var network = result.Network;

        AssertLogits(network, files.Input, files.Logits("resnet20"), "akamaster resnet20");
        Assert.Equal(CnnZoo.DefaultWidths(CnnArchitecture.ResNet20), network.Widths);
        Assert.Equal(4L, ((TorchSharp.Modules.BatchNorm2d)network.named_modules().First(m => m.name == "bn1").module).num_batches_tracked!.item<long>());
    }

    [Fact]
    public void ALoadedNetworkTrainsAsANetworkBuiltByTheZoo()
    {
        using var scope = NewDisposeScope();
        using var network = PyTorchWeights.Load(files.File("resnet20.pth"), CnnArchitecture.ResNet20, Cifar, 10).Network;
        var before = network.GetConv(network.ConvLayers[0]).weight.detach().clone();
        using var optimizer = torch.optim.SGD(network.parameters(), 0.1);

        network.train();
        var loss = nn.functional.cross_entropy(network.call(files.Input), tensor(new long[] { 0, 1, 2, 3 }));
        loss.backward();
        optimizer.step();

        Assert.All(network.parameters(), p => Assert.NotNull(p.grad));
        Assert.False(before.equal(network.GetConv(network.ConvLayers[0]).weight).all().item<bool>(), "one SGD step changed the stem");
    }

    [Fact]
    public void AkamastersPublishedLayoutLoads_ModulePrefixNestedStateDictNoCounters()
    {
        using var scope = NewDisposeScope();
        using var plain = PyTorchWeights.Load(files.File("resnet20.pth"), CnnArchitecture.ResNet20, Cifar, 10).Network;
        var result = PyTorchWeights.Load(files.File("resnet20_wrapped.pth"), CnnArchitecture.ResNet20, Cifar, 10);
        using var network = result.Network;

        Assert.Contains("state dictionary read from the checkpoint's 'state_dict' entry", result.Description);
        Assert.Contains("'module.' prefix (DataParallel) removed", result.Description);
        Assert.Contains("19 num_batches_tracked counters absent (kept at 0)", result.Description);
        var loaded = network.state_dict();
        Assert.All(plain.state_dict(), kv => Assert.True(
            kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? loaded[kv.Key].item<long>() == 0 : kv.Value.equal(loaded[kv.Key]).all().item<bool>(),
            kv.Key));
        AssertLogits(network, files.Input, files.Logits("resnet20"), "akamaster resnet20 (wrapped)");
    }

    [Fact]
    public void MissingBatchCountersLoadFine()
    {
        using var scope = NewDisposeScope();
        var result = PyTorchWeights.Load(files.File("resnet20_no_counters.pth"), CnnArchitecture.ResNet20, Cifar, 10);
        using var network = result.Network;

        Assert.Contains("19 num_batches_tracked counters absent (kept at 0)", result.Description);
        Assert.DoesNotContain("'module.'", result.Description);
        AssertLogits(network, files.Input, files.Logits("resnet20"), "akamaster resnet20 (no counters)");
    }

    [Fact]
    public void Float16WeightsAreConvertedToFloat32()
    {
        using var scope = NewDisposeScope();
        using var network = PyTorchWeights.Load(files.File("resnet20_half.pth"), CnnArchitecture.ResNet20, Cifar, 10).Network;

        Assert.All(network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        AssertLogits(network, files.Input, files.Logits("resnet20_half"), "akamaster resnet20 (float16 file)");
        double rounding = (files.Logits("resnet20_half") - files.Logits("resnet20")).abs().max().item<float>();
        Assert.True(rounding > Tolerance, $"float16 rounding changed PyTorch's logits by only {rounding}; the file would not show it was read as float16");
    }

    [Fact]
    public void AClassifierOfAnotherClassCountFailsOrIsReplacedWhenAsked()
    {
        using var scope = NewDisposeScope();
        string path = files.File("resnet18_1000.pth");

        var refused = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet18, Cifar, 10));
        Assert.Contains($"'{path}' has a 1000-class classifier ('fc.weight' [1000, 512]) but 10 classes were requested", refused.Message);

        var options = new PyTorchLoadOptions(ClassifierHandling.ReplaceWhenClassCountDiffers);
        torch.manual_seed(3);
        var result = PyTorchWeights.Load(path, CnnArchitecture.ResNet18, Cifar, 10, options);
        using var network = result.Network;
        torch.manual_seed(3);
        using var again = PyTorchWeights.Load(path, CnnArchitecture.ResNet18, Cifar, 10, options).Network;

        Assert.True(result.ClassifierReplaced);
        Assert.Equal(1000, result.FileClassCount);
        Assert.Contains("classifier 'fc' replaced by a freshly initialised one: the file has 1000 classes, 10 requested", result.Description);
        Assert.Equal([10L, 512L], network.Classifier.weight.shape);
        var file = PyTorchUnpickler.UnpickleStateDict(path);
        var loaded = network.state_dict();
        Assert.All(loaded.Where(kv => !kv.Key.StartsWith("fc.", StringComparison.Ordinal)), kv => Assert.True(kv.Value.equal((Tensor)file[kv.Key]!).all().item<bool>(), kv.Key));
        Assert.False(network.Classifier.weight.equal(((Tensor)file["fc.weight"]!).narrow(0, 0, 10)).all().item<bool>());
        Assert.True(network.Classifier.weight.equal(again.Classifier.weight).all().item<bool>(), "a seeded replacement is reproducible");
    }

    [Fact]
    public void ALegacyFileFailsWithARecipeThatWorks()
    {
        string path = files.File("resnet20_legacy.th");

        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet20, Cifar, 10));

        Assert.Contains($"'{path}' was saved in PyTorch's legacy format", error.Message);
        const string start = "python3 -c \"";
        int begin = error.Message.IndexOf(start, StringComparison.Ordinal) + start.Length;
        string recipe = error.Message[begin..error.Message.IndexOf('"', begin)];
        Assert.StartsWith("import torch; torch.save(torch.load(", recipe);
        RunPython(recipe);
        using var scope = NewDisposeScope();
        using var network = PyTorchWeights.Load(Path.ChangeExtension(path, null) + "-state.pth", CnnArchitecture.ResNet20, Cifar, 10).Network;
        AssertLogits(network, files.Input, files.Logits("resnet20"), "akamaster resnet20 (legacy file re-saved by the recipe)");
    }

    [Fact]
    public void AWholePickledModelFailsWithTheStateDictRecipe()
    {
        string path = files.File("whole_model.pth");

        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet20, Cifar, 10));

        Assert.Contains($"'{path}' holds a whole pickled model (torch.save(model)), not a state dictionary", error.Message);
        Assert.Contains(".state_dict(),", error.Message);
    }

    [Fact]
    public void IntegerWeightsFailNamingTheKey()
    {
        string path = files.File("resnet20_int.pth");

        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet20, Cifar, 10));

        Assert.Equal($"'{path}': 'conv1.weight' is stored as Int64; the network's float tensors need float32, float64, float16 or bfloat16 values (converted to float32).", error.Message);
    }

    [Fact]
    public void ATruncatedFileFailsAsTruncatedOrCorrupt()
    {
        byte[] bytes = File.ReadAllBytes(files.File("resnet20.pth"));
        string folder = files.NewFolder();
        foreach (int length in new[] { 3, 100, bytes.Length / 2, bytes.Length - 10 })
        {
            string path = Path.Combine(folder, $"truncated-{length}.pth");
            File.WriteAllBytes(path, bytes[..length]);

            var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet20, Cifar, 10));

            Assert.StartsWith($"'{path}'", error.Message);
            Assert.Contains(length < 4 ? "is neither a PyTorch checkpoint" : "is truncated or corrupt", error.Message);
        }
    }

    [Fact]
    public void AResNet18FileIsNotAResNet34_TheMissingKeysAreListed()
    {
        string path = files.File("resnet18.pth");

        var error = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet34, Cifar, 10));

        Assert.StartsWith($"'{path}' does not fit a ResNet34 (torchvision.models.resnet34, 3x32x32 input, 10 classes): ", error.Message);
        Assert.Contains("missing from the file: 'layer1.2.conv1.weight', 'layer1.2.bn1.weight'", error.Message);
        Assert.DoesNotContain("in the file but not in the network", error.Message);
        Assert.Contains("Its keys are those of a ResNet18.", error.Message);
    }

    [Fact]
    public void AResNet18FileIsNotAResNet20_ShapesWithBothSidesAndUnexpectedKeysAreListed()
    {
        string path = files.File("resnet18.pth");

        var error = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet20, Cifar, 10));
        output.WriteLine(error.Message);

        // Its widths make no ResNet20 (a 64-wide stage feeding a 16-wide one), so it is compared with the dense ResNet20.
        Assert.Contains("tensors have another shape: 'conv1.weight' is [64, 3, 7, 7] in the file but [16, 3, 3, 3] in the network", error.Message);
        Assert.Contains("32 missing from the file: 'layer1.2.conv1.weight'", error.Message);
        Assert.Contains("44 in the file but not in the network: 'fc.bias', 'fc.weight', 'layer2.0.downsample.0.weight'", error.Message);
        Assert.Contains("Its keys are those of a ResNet18.", error.Message);
    }

    [Fact]
    public void AnotherInputChannelCountNamesTheStemShapes()
    {
        string path = files.File("resnet20.pth");

        var error = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(path, CnnArchitecture.ResNet20, new ImageShape(1, 32, 32), 10));

        Assert.Contains("1 tensor has another shape: 'conv1.weight' is [16, 3, 3, 3] in the file but [16, 1, 3, 3] in the network", error.Message);
        Assert.DoesNotContain("missing", error.Message);
    }

    private void AssertLogits(CnnNetwork network, Tensor input, Tensor expected, string what)
    {
        using var scope = NewDisposeScope();
        using var folded = network.ForInference();
        foreach (var (form, model) in new[] { ("unfolded", network), ("folded", folded) })
        {
            var actual = TestNetworks.Predict(model, input);
            double difference = (actual - expected).abs().max().item<float>();
            output.WriteLine($"{what}, {form}: max |logit - PyTorch's| = {difference:G3} (logits up to {expected.abs().max().item<float>():G3})");
            Assert.True(difference <= Tolerance, $"{what}, {form}: max |logit - PyTorch's| = {difference:G3}");
        }
    }

    private static void RunPython(string code)
    {
        var start = new ProcessStartInfo(PythonTorch.Executable, ["-c", code]) { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the recipe did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"the recipe failed: {stderr}");
    }
}
