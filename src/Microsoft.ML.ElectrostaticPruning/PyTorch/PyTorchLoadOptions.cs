namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>How <see cref="PyTorchWeights.Load"/> builds the network from a PyTorch file.</summary>
/// <param name="Classifier">What happens to the file's classifier; <see cref="ClassifierHandling.Keep"/> by default.</param>
/// <param name="InputNormalization">
/// The network's per-channel input normalization (e.g. <see cref="InputNormalization.ImageNet"/> for torchvision's
/// ImageNet weights); null takes the one stored in the file's metadata (files this library exported), else none.
/// </param>
internal sealed record PyTorchLoadOptions(ClassifierHandling Classifier = ClassifierHandling.Keep, InputNormalization? InputNormalization = null)
{
    /// <summary>Keep the classifier, normalization from the file's metadata if any.</summary>
    public static PyTorchLoadOptions Default { get; } = new();
}
