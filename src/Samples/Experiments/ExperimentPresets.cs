using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>
/// The paper's experiments with Table 1's training settings and Table 2's alpha_e and pruning plans, and the Figure 2
/// protocol studies at CPU scale (plain pretraining, every method warm-started from it, pruning without fine-tuning).
/// </summary>
internal static class ExperimentPresets
{
    // Table 1, "MNIST" column: SGD(0.9, 0), P1, 200 epochs, batch 256, no fine-tuning.
    private static readonly TrainingRecipe MnistTraining = new(200, 256, 0.9, 0, "P1", Augment: false);

    // Table 1, "CIFAR" column: pr SGD(0.9, 0), P1, 200 epochs; ft SGD(0.9, 5e-4), P2, 120 epochs; batch 128.
    private static readonly TrainingRecipe CifarTraining = new(200, 128, 0.9, 0, "P1", Augment: true);
    private static readonly TrainingRecipe CifarFineTuning = new(120, 128, 0.9, 5e-4, "P2", Augment: true);

    // Table 1, "ImageNet" column: SGD(0.9, 5e-4), 100 / ft 80 epochs, batch 512, ft policy P2. The paper gives no
    // policy for the 100 training epochs, which start from pretrained weights; P2 (the fine-tuning policy) is used.
    private static readonly TrainingRecipe ImageNetTraining = new(100, 512, 0.9, 5e-4, "P2", Augment: false);
    private static readonly TrainingRecipe ImageNetFineTuning = new(80, 512, 0.9, 5e-4, "P2", Augment: false);

    // The Figure 2 studies' methods: the paper's baselines and alphas, network slimming, the folded force on every filter
    // and on the filters the plan removes (the library's default regularizer; the presets train without any-ratio training
    // unless --any-ratio is given, so this is the targeted force, the previous default).
    private const string SmallCnnMethods =
        "plain,l1:1e-2,slimming:1e-4,slimming:3e-2,electrostatic:1e-11,electrostatic:1e-12,electrostatic:1e-14,folded-untargeted:3e-12,folded-untargeted:1e-11,folded:1e-11";

    // Cut to fit the ResNet-56 study's time budget.
    private const string ResNetMethods =
        "plain,l1:1e-2,slimming:3e-2,electrostatic:1e-11,electrostatic:1e-12,electrostatic:1e-14,folded-untargeted:1e-11,folded:1e-11";

    /// <summary>All presets, in the order <c>experiment</c> lists them.</summary>
    public static IReadOnlyList<ExperimentPreset> All { get; } =
    [
        new(
            "resnet56-cifar10",
            "ResNet-56 on CIFAR-10",
            CnnArchitecture.ResNet56,
            new ImageShape(3, 32, 32),
            10,
            "the CIFAR-10 binary folder (data_batch_1..5.bin, test_batch.bin)",
            CifarTraining,
            CifarFineTuning,
            "electrostatic:1e-16",
            [new("[0,0.52,0.52,0.52,0]", 2.17), new("[0,0.6,0.6,0.6,0]", 2.62), new("[0,0.62,0.63,0.62,0]", 2.73)],
            "Table 1 (CIFAR) and Table 2 (ResNet-56/CIFAR-10, alpha_e = 1e-16)."),
        new(
            "vgg19-cifar100",
            "VGG-19 on CIFAR-100",
            CnnArchitecture.Vgg19,
            new ImageShape(3, 32, 32),
            100,
            "the CIFAR-100 binary folder (train.bin, test.bin)",
            CifarTraining,
            CifarFineTuning,
            "electrostatic:1e-11",
            [new("[0:0,1-15:0.65]", 6.85), new("[0:0,1-15:0.70]", 8.89)],
            "Table 1 (CIFAR) and Table 2 (VGG-19/CIFAR-100, alpha_e = 1e-11)."),
        new(
            "resnet34-imagenet",
            "ResNet-34 on ImageNet",
            CnnArchitecture.ResNet34,
            new ImageShape(3, 224, 224),
            1000,
            "an ImageNet folder with train/<class>/ and val/<class>/ image folders (use --image-size 224)",
            ImageNetTraining,
            ImageNetFineTuning,
            "electrostatic:1e-17",
            [new("[0,0.5,0.5,0.5,0,0] skip 1.0,2.0,2.3,3.0,3.5", 1.34)],
            "Table 1 (ImageNet) and Table 2 (ResNet-34/ImageNet, alpha_e = 1e-17, skip list 1.0,2.0,2.3,3.0,3.5). " +
            "The paper gives no learning-rate policy for the 100 training epochs; P2 is used."),
        new(
            "resnet56-mnist",
            "ResNet-56 on MNIST",
            CnnArchitecture.ResNet56,
            new ImageShape(1, 28, 28),
            10,
            "an MNIST or Fashion-MNIST IDX folder (train-images-idx3-ubyte[.gz], ...)",
            MnistTraining,
            null,
            "electrostatic:1e-11",
            [.. Enumerable.Range(1, 9).Select(i => new PresetPlan(FormattableString.Invariant($"[0,{i / 10.0},{i / 10.0},{i / 10.0},0]"), null))],
            "Table 1 (MNIST, no fine-tuning); alpha_e = 1e-11 from Section 6.1; the plans are Figure 2's sweep of ratios 0.1 ... 0.9."),
        new(
            "figure2-fashion",
            "ResNet-56 on Fashion-MNIST, Figure 2 protocol",
            CnnArchitecture.ResNet56,
            new ImageShape(1, 28, 28),
            10,
            "the full Fashion-MNIST IDX folder (apt-get install dataset-fashion-mnist: /usr/share/datasets/fashion-mnist)",
            new(2, 128, 0.9, 0, "P1 from 0.1", Augment: false),
            null,
            ResNetMethods,
            [],
            "the paper's MNIST network (ResNet-56) and protocol (pretrained start, continued training with each regularizer at Table 1's pr settings SGD(0.9, 0) and P1 from 0.1 scaled to the budget, pruning without fine-tuning); " +
            "sized for 90 minutes on 2 cores: the first 10,000 of the 60,000 training images, 6 plain + 2 epochs per method, the first 2,000 of the 10,000 test images, " +
            "8 methods, pruned with the paper's raw-L1 ranking and the default folded ranking with compensation")
        {
            DefaultData = "/usr/share/datasets/fashion-mnist",
            PretrainEpochs = 6,
            SeedCount = 2,
            Variants = "l1,folded+comp",
            TrainLimit = 10_000,
            TestLimit = 2_000,
        },
        new(
            "figure2-fashion-small",
            "SmallCnn on the embedded Fashion-MNIST subset, Figure 2 protocol",
            CnnArchitecture.SmallCnn,
            new ImageShape(1, 28, 28),
            10,
            "an MNIST-style IDX folder; default the embedded subset data/fashion-mnist",
            new(4, 128, 0.9, 0, "P1 from 0.02", Augment: false),
            null,
            SmallCnnMethods,
            [],
            "the Figure 2 protocol on the default job's network and data (6,000 / 2,000 images); P1 scaled from 0.02, as P1's 0.1 is too high for SmallCnn")
        {
            DefaultData = Path.Combine("data", "fashion-mnist"),
            PretrainEpochs = 4,
            SeedCount = 2,
            Variants = "l1,folded,folded+comp",
        },
    ];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ExperimentPreset? TryFind(string? name) =>
        All.FirstOrDefault(p => p.Name.Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The preset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the valid names.</exception>
    public static ExperimentPreset Find(string name) =>
        TryFind(name) ?? throw new ArgumentException($"Unknown experiment '{name}'; expected one of {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
}
