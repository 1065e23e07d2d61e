namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>What <see cref="PyTorchWeights.Load"/> does with the file's classifier (the final Linear layer).</summary>
internal enum ClassifierHandling
{
    /// <summary>Load it; a file with another class count than requested fails (ArgumentException). The default.</summary>
    Keep,

    /// <summary>
    /// Load it when the file has the requested class count; otherwise replace it with a freshly initialised one of the
    /// requested class count (transfer learning, e.g. ImageNet weights for a 10-class data set).
    /// </summary>
    ReplaceWhenClassCountDiffers,

    /// <summary>Always start from a freshly initialised classifier (new classes, even if as many as the file's).</summary>
    Replace,
}
