using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.PyTorch;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.PyTorch;

/// <summary>
/// Networks pruned by the library and exported with <see cref="PyTorchExport"/>, rebuilt by the shipped
/// <c>electrostatic_pruning_torch.py</c> in real PyTorch (one <c>torch_reference.py check</c> run for all of them), with
/// the library's and PyTorch's logits on the same inputs.
/// </summary>
public sealed class PyTorchExportFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<Export> _exports = [];
    private readonly Dictionary<string, Tensor>? _pythonLogits;

    /// <summary>Prunes, exports and runs the Python loader; fails (with the install command) when PyTorch is missing.</summary>
    public PyTorchExportFixture()
    {
        try
        {
            Add("resnet20", CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), "0.5", null, classNames: [.. Enumerable.Range(0, 10).Select(i => $"class {i}")]);
            Add("resnet18", CnnArchitecture.ResNet18, new ImageShape(3, 32, 32), "0.5", InputNormalization.ImageNet);
            Add("resnet50", CnnArchitecture.ResNet50, new ImageShape(3, 32, 32), "0.5", null);
            Add("vgg11", CnnArchitecture.Vgg11, new ImageShape(3, 32, 32), "[0:0, 1-7:0.6]", null);
            Add("smallcnn", CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), "0.5", new InputNormalization([0.286f], [0.353f]));
            using (var stream = File.Create(_folder.File("input.safetensors")))
            {
                SafetensorsFile.Write(stream, [.. _exports.Select(e => new KeyValuePair<string, Tensor>(e.Name, e.Input))]);
            }

            PythonOutput = PythonTorch.RunReferenceScript("check", _folder.Path);
            _pythonLogits = Safetensors.LoadStateDict(_folder.File("python_logits.safetensors"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The exports by name.</summary>
    internal IReadOnlyDictionary<string, Export> Exports => _exports.ToDictionary(e => e.Name);

    /// <summary>What the check run printed: the loader's summary of every export.</summary>
    public string PythonOutput { get; } = string.Empty;

    /// <summary>PyTorch's logits of the export named <paramref name="name"/> on its <see cref="Export.Input"/>.</summary>
    public Tensor PythonLogits(string name) => _pythonLogits![name];

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
        foreach (var export in _exports)
        {
            export.Network.Dispose();
            export.Input.Dispose();
            export.Logits.Dispose();
            export.FoldedLogits.Dispose();
        }

        foreach (var tensor in _pythonLogits?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }

        _folder.Dispose();
    }

    private void Add(string name, CnnArchitecture architecture, ImageShape shape, string plan, InputNormalization? normalization, IReadOnlyList<string>? classNames = null)
    {
        using var dense = CalibratedNetworks.Create(architecture, shape, 10, seed: _exports.Count + 11);

        // Set on the dense network: pruning must carry it to the pruned one.
        dense.InputNormalization = normalization;
        var pruned = FilterPruner.Prune(dense, PruningPlan.Parse(plan)).Network;
        pruned.eval();
        string path = _folder.File($"export_{name}.safetensors");
        PyTorchExport.Save(pruned, path, classNames);
        torch.manual_seed(_exports.Count + 101);
        var input = rand(4, shape.Channels, shape.Height, shape.Width);
        using var folded = pruned.ForInference();
        _exports.Add(new Export(name, pruned, path, classNames, input, TestNetworks.Predict(pruned, input), TestNetworks.Predict(folded, input)));
    }

    /// <summary>One exported network.</summary>
    /// <param name="Name">Test name, e.g. <c>resnet20</c>.</param>
    /// <param name="Network">The pruned trainable network that was exported (eval mode).</param>
    /// <param name="Path">The safetensors file.</param>
    /// <param name="ClassNames">The class names written with it, or null.</param>
    /// <param name="Input">Four random images.</param>
    /// <param name="Logits">The network's eval-mode logits on them.</param>
    /// <param name="FoldedLogits">Those of its BatchNorm-folded form.</param>
    internal sealed record Export(string Name, CnnNetwork Network, string Path, IReadOnlyList<string>? ClassNames, Tensor Input, Tensor Logits, Tensor FoldedLogits);
}
