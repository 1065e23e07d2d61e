using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>
/// A state dictionary read from a PyTorch file by <see cref="StateDictReader"/>: tensor names as the module defines them
/// (any checkpoint wrapper and <c>module.</c> prefix removed), the CPU tensors, and what the reader had to do. The
/// tensors belong to the dispose scope that was current while reading.
/// </summary>
/// <param name="Path">The file, as the caller named it.</param>
/// <param name="Format">"PyTorch zip" or "safetensors".</param>
/// <param name="Tensors">The tensors by name.</param>
/// <param name="Metadata">The safetensors <c>__metadata__</c> strings; empty for other files.</param>
/// <param name="Notes">What the reader changed, e.g. "'module.' prefix (DataParallel) removed"; empty when nothing.</param>
internal sealed record PyTorchStateDict(
    string Path,
    string Format,
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Notes);
