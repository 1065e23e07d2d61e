using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.PyTorch;

namespace Microsoft.ML;

/// <summary>Adds PyTorch weights to <c>mlContext.Model</c>: a torchvision or CIFAR checkpoint becomes a model to score, prune or warm-start from.</summary>
public static class PyTorchModelCatalogExtensions
{
    /// <summary>
    /// Loads a PyTorch state dictionary as an unpruned <see cref="ElectrostaticCnnTransformer"/> that scores with the file's
    /// classifier, and that <see cref="ElectrostaticCnnTrainer.Fit(IDataView, ElectrostaticCnnTransformer)"/> continues from
    /// (the paper's pretrained start): with another class count than the file's, Fit replaces the classifier by a freshly
    /// initialised one (transfer learning) and the summary says so.
    /// </summary>
    /// <remarks>
    /// The keys are the references' own: torchvision <c>resnet18/34/50</c> for <see cref="CnnArchitecture.ResNet18"/> ...
    /// <see cref="CnnArchitecture.ResNet50"/>, akamaster/pytorch_resnet_cifar10 for ResNet-20 ... 110, GReg's VGG for the
    /// CIFAR VGGs. Every key and shape is checked (a <c>module.</c> prefix and a nested <c>state_dict</c> are accepted,
    /// <c>num_batches_tracked</c> may be missing); nothing half-loaded is returned. The classes are named "0".."K-1", or as
    /// stored by <see cref="ElectrostaticCnnTransformer.SavePyTorch(string)"/>. docs/pytorch.md walks through
    /// fine-tuning a torchvision ResNet-18 on an image folder, pruning it and sending it back to PyTorch and ONNX.
    /// </remarks>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="path">A <c>.pth</c>/<c>.pt</c> file written by <c>torch.save(model.state_dict(), path)</c> (PyTorch 1.6 or later), or a <c>.safetensors</c> file.</param>
    /// <param name="architecture">The network the file holds.</param>
    /// <param name="inputShape">The C x H x W of the images the model will see (e.g. 3 x 224 x 224); its channels must match the file's first conv.</param>
    /// <param name="inputNormalization">
    /// Per-channel mean and std applied inside the network, e.g. <see cref="InputNormalization.ImageNet"/> for torchvision's
    /// weights with pixels scaled to [0, 1]; null keeps what a file written by this library stores (none for other files).
    /// </param>
    /// <returns>The model; dispose it when done.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a state dictionary (truncated, corrupt, a whole pickled model, the legacy pre-1.6 format: the message gives the re-save recipe), or holds values of the wrong type.</exception>
    /// <exception cref="ArgumentException">The weights do not fit <paramref name="architecture"/> and <paramref name="inputShape"/>; the message names the keys and both shapes.</exception>
    public static ElectrostaticCnnTransformer LoadPyTorchWeights(
        this ModelOperationsCatalog catalog, string path, CnnArchitecture architecture, ImageShape inputShape, InputNormalization? inputNormalization = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var loaded = PyTorchWeights.Load(path, architecture, inputShape, classCount: null, new PyTorchLoadOptions(InputNormalization: inputNormalization));
        return ElectrostaticCnnTransformer.FromPretrained(catalog.GetEnvironment(), loaded);
    }
}
