namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>
/// Keys of the <c>__metadata__</c> strings that <see cref="PyTorchExport"/> writes into a safetensors file, and that
/// <c>electrostatic_pruning_torch.py</c> and <see cref="PyTorchWeights"/> read back. JSON values are compact JSON text.
/// No key is named <c>dtype</c>, <c>shape</c> or <c>data_offsets</c>: PyBridge parses the metadata object like a tensor
/// entry and would fail on those.
/// </summary>
internal static class PyTorchMetadata
{
    /// <summary>Always <see cref="FormatName"/>.</summary>
    public const string Format = "format";

    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "electrostatic-pruning";

    /// <summary>Version of this key set, <see cref="CurrentVersion"/>.</summary>
    public const string FormatVersion = "format_version";

    /// <summary>The value of <see cref="FormatVersion"/> written now.</summary>
    public const string CurrentVersion = "1";

    /// <summary>The zoo architecture, e.g. <c>ResNet20</c> (a <see cref="CnnArchitecture"/> name).</summary>
    public const string Architecture = "architecture";

    /// <summary>The PyTorch model whose keys the tensors carry, e.g. <c>torchvision.models.resnet18</c>.</summary>
    public const string Reference = "reference";

    /// <summary>One image as JSON <c>[C, H, W]</c>.</summary>
    public const string InputShape = "input_shape";

    /// <summary>Number of classes (outputs of the classifier), decimal.</summary>
    public const string ClassCount = "class_count";

    /// <summary>The class names in output order, a JSON array of strings; absent when none were given.</summary>
    public const string Classes = "classes";

    /// <summary>Kept output channels of each indexed conv in GReg layer order, a JSON array of integers.</summary>
    public const string Widths = "widths";

    /// <summary>The input normalization's per-channel means, a JSON array; absent without normalization.</summary>
    public const string NormalizationMean = "normalization_mean";

    /// <summary>The input normalization's per-channel standard deviations, a JSON array; absent without normalization.</summary>
    public const string NormalizationStd = "normalization_std";

    /// <summary>The library and version that wrote the file.</summary>
    public const string Producer = "producer";

    /// <summary>The PyTorch model whose state-dict keys and layout the zoo's <paramref name="architecture"/> matches.</summary>
    public static string ReferenceOf(CnnArchitecture architecture) => architecture switch
    {
        CnnArchitecture.ResNet18 or CnnArchitecture.ResNet34 or CnnArchitecture.ResNet50 => $"torchvision.models.{architecture.ToString().ToLowerInvariant()}",
        CnnArchitecture.ResNet20 or CnnArchitecture.ResNet32 or CnnArchitecture.ResNet44 or CnnArchitecture.ResNet56 or CnnArchitecture.ResNet110
            => $"akamaster/pytorch_resnet_cifar10 {architecture.ToString().ToLowerInvariant()} (option-A shortcuts)",
        CnnArchitecture.Vgg11 or CnnArchitecture.Vgg13 or CnnArchitecture.Vgg16 or CnnArchitecture.Vgg19
            => $"GReg's CIFAR {architecture.ToString().ToLowerInvariant()} with BatchNorm (features.i, classifier)",
        CnnArchitecture.SmallCnn => "ElectrostaticPruning SmallCnn (conv1, bn1, conv2, bn2, fc)",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Unknown architecture."),
    };
}
