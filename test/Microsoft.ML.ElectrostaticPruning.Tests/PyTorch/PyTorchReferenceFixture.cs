using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>
/// Files that real PyTorch wrote, generated once per test class (one <c>torch_reference.py generate</c> run into a temporary
/// folder): state dicts of a torchvision resnet18 (10 and 1000 classes) and of akamaster's ResNet-20, their variants for
/// the bad-input tests, and PyTorch's eval-mode logits on a fixed input (reference.safetensors).
/// </summary>
public sealed class PyTorchReferenceFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, Tensor> _reference;

    /// <summary>Runs the generator; fails (with the install command) when PyTorch is missing.</summary>
    public PyTorchReferenceFixture()
    {
        try
        {
            PythonTorch.RunReferenceScript("generate", _folder.Path);
            _reference = Safetensors.LoadStateDict(File("reference.safetensors"));
        }
        catch
        {
            _folder.Dispose();
            throw;
        }
    }

    /// <summary>The fixed input batch (4 x 3 x 32 x 32, values in [0, 1)).</summary>
    public Tensor Input => _reference["input"];

    /// <summary>PyTorch's logits of a network (resnet18, resnet18_normalized, resnet20, resnet20_half).</summary>
    public Tensor Logits(string name) => _reference[name];

    /// <summary>Full path of a generated file, e.g. <c>resnet18.pth</c>.</summary>
    public string File(string name) => _folder.File(name);

    /// <summary>A fresh folder for a test's own files (inside the fixture's, deleted with it).</summary>
    public string NewFolder()
    {
        string path = _folder.File(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _reference.Values)
        {
            tensor.Dispose();
        }

        _folder.Dispose();
    }
}
