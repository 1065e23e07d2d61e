namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>Which CIFAR binary record layout (and which label) to read.</summary>
public enum CifarFormat
{
    /// <summary>CIFAR-10: records of 1 label byte (0..9) followed by 3072 pixel bytes (R, G, B planes of 32x32).</summary>
    Cifar10,

    /// <summary>CIFAR-100, fine labels: records of a coarse and a fine label byte followed by 3072 pixel bytes; uses the fine label (0..99).</summary>
    Cifar100Fine,

    /// <summary>CIFAR-100, coarse labels: same records as <see cref="Cifar100Fine"/>; uses the coarse (super-class) label (0..19).</summary>
    Cifar100Coarse,
}
