namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>A network built from a PyTorch file by <see cref="PyTorchWeights.Load"/>, and what loading it did.</summary>
/// <param name="Network">The trainable network in eval mode on the CPU; the caller owns (and disposes) it.</param>
/// <param name="ClassifierReplaced">Whether the classifier was freshly initialised instead of loaded (see <see cref="ClassifierHandling"/>).</param>
/// <param name="FileClassCount">Number of classes of the file's classifier.</param>
/// <param name="Description">
/// One line for a summary or log, e.g. "PyTorch weights 'r18.pth' (PyTorch zip, 102 tensors, torchvision.models.resnet18
/// layout); 20 num_batches_tracked counters absent (kept at 0); classifier 'fc' replaced: the file has 1000 classes, 10 requested".
/// </param>
/// <param name="ClassNames">The class names a file written by <see cref="PyTorchExport"/> stores for its classifier; null for other files or a replaced classifier.</param>
internal sealed record PyTorchLoadResult(CnnNetwork Network, bool ClassifierReplaced, int FileClassCount, string Description, IReadOnlyList<string>? ClassNames = null);
