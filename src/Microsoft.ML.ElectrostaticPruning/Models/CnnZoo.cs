namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// Factory for the zoo networks. Initialisation draws from the current torch RNG: seed it with
/// <c>torch.manual_seed</c> for reproducible weights.
/// </summary>
internal static class CnnZoo
{
    /// <summary>Builds the unpruned <paramref name="architecture"/> for <paramref name="input"/> images and <paramref name="classCount"/> classes.</summary>
    public static CnnNetwork Create(CnnArchitecture architecture, ImageShape input, int classCount) =>
        Create(architecture, input, classCount, DefaultWidths(architecture));

    /// <summary>Builds <paramref name="architecture"/> with the given conv widths (one per indexed conv, GReg layer order).</summary>
    /// <param name="architecture">Which network.</param>
    /// <param name="input">Shape of one input image.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="widths">Output channels of each indexed conv.</param>
    /// <param name="foldBatchNorm">
    /// Build the eval-only form with BatchNorms folded into the convs, which keeps TorchSharp's default weights and is
    /// meant to receive folded ones from <see cref="CnnNetwork.ForInference"/>; false (default) for the trainable network.
    /// </param>
    public static CnnNetwork Create(CnnArchitecture architecture, ImageShape input, int classCount, IReadOnlyList<int> widths, bool foldBatchNorm = false) => architecture switch
    {
        CnnArchitecture.SmallCnn => new SmallCnn(input, classCount, widths, foldBatchNorm),
        CnnArchitecture.ResNet20 or CnnArchitecture.ResNet32 or CnnArchitecture.ResNet44 or CnnArchitecture.ResNet56 or CnnArchitecture.ResNet110
            => new CifarResNet(architecture, input, classCount, widths, foldBatchNorm),
        CnnArchitecture.Vgg11 or CnnArchitecture.Vgg13 or CnnArchitecture.Vgg16 or CnnArchitecture.Vgg19
            => new CifarVgg(architecture, input, classCount, widths, foldBatchNorm),
        CnnArchitecture.ResNet18 or CnnArchitecture.ResNet34 or CnnArchitecture.ResNet50
            => new ImageNetResNet(architecture, input, classCount, widths, foldBatchNorm),
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, $"Unknown architecture; expected one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}."),
    };

    /// <summary>
    /// <see cref="Create(CnnArchitecture, ImageShape, int, IReadOnlyList{int}, bool)"/> for a network whose weights the
    /// caller overwrites: the global torch RNG is restored afterwards, so building it does not change what a seeded run
    /// draws next.
    /// </summary>
    public static CnnNetwork CreateForCopy(CnnArchitecture architecture, ImageShape input, int classCount, IReadOnlyList<int> widths, bool foldBatchNorm)
    {
        using var state = TorchSharp.torch.get_rng_state();
        try
        {
            return Create(architecture, input, classCount, widths, foldBatchNorm);
        }
        finally
        {
            TorchSharp.torch.set_rng_state(state);
        }
    }

    /// <summary>Conv widths of the unpruned <paramref name="architecture"/>, by GReg layer index.</summary>
    public static int[] DefaultWidths(CnnArchitecture architecture) => architecture switch
    {
        CnnArchitecture.SmallCnn => SmallCnn.DefaultWidths,
        CnnArchitecture.ResNet20 or CnnArchitecture.ResNet32 or CnnArchitecture.ResNet44 or CnnArchitecture.ResNet56 or CnnArchitecture.ResNet110
            => CifarResNet.DefaultWidths(architecture),
        CnnArchitecture.Vgg11 or CnnArchitecture.Vgg13 or CnnArchitecture.Vgg16 or CnnArchitecture.Vgg19
            => CifarVgg.DefaultWidths(architecture),
        CnnArchitecture.ResNet18 or CnnArchitecture.ResNet34 or CnnArchitecture.ResNet50
            => ImageNetResNet.DefaultWidths(architecture),
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, $"Unknown architecture; expected one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}."),
    };
}
