namespace ElectrostaticPruning.Samples.Study;

/// <summary>The Figure 2 protocol presets of <c>experiment</c>.</summary>
internal static class Figure2Presets
{
    /// <summary>The SmallCnn preset's methods: the paper's baselines and alphas, network slimming, the folded force on every filter and on the filters the plan removes (the default).</summary>
    public const string Methods = "plain,l1:1e-2,slimming:1e-4,slimming:3e-2,ef:1e-11,ef:1e-12,ef:1e-14,ef-folded:3e-12,ef-folded:1e-11,ef-targeted:1e-11";

    /// <summary>The ResNet-56 preset's methods, cut to fit its time budget: the paper's alphas and baselines, the stronger slimming rate, the folded force on every filter and on the filters the plan removes (the default).</summary>
    public const string ResNetMethods = "plain,l1:1e-2,slimming:3e-2,ef:1e-11,ef:1e-12,ef:1e-14,ef-folded:1e-11,ef-targeted:1e-11";

    /// <summary>All presets.</summary>
    public static IReadOnlyList<Figure2Preset> All { get; } =
    [
        new(
            "figure2-fashion",
            "ResNet-56 on Fashion-MNIST, Figure 2 protocol",
            Microsoft.ML.ElectrostaticPruning.CnnArchitecture.ResNet56,
            "the full Fashion-MNIST IDX folder (apt-get install dataset-fashion-mnist: /usr/share/datasets/fashion-mnist)",
            "/usr/share/datasets/fashion-mnist",
            PretrainEpochs: 6,
            Epochs: 2,
            BatchSize: 128,
            LearningRate: 0.1,
            ResNetMethods,
            TrainLimit: 10_000,
            TestLimit: 2_000,
            Variants: "l1,folded+comp",
            "the paper's MNIST network (ResNet-56) and protocol (pretrained start, continued training with each regularizer at Table 1's pr settings SGD(0.9, 0) and P1 from 0.1 scaled to the budget, pruning without fine-tuning); " +
            "sized for 90 minutes on 2 cores: the first 10,000 of the 60,000 training images, 6 plain + 2 epochs per method, the first 2,000 of the 10,000 test images, " +
            "8 methods, pruned with the paper's raw-L1 ranking and the default folded ranking with compensation"),
        new(
            "figure2-fashion-small",
            "SmallCnn on the embedded Fashion-MNIST subset, Figure 2 protocol",
            Microsoft.ML.ElectrostaticPruning.CnnArchitecture.SmallCnn,
            "an MNIST-style IDX folder; default the embedded subset data/fashion-mnist",
            "data/fashion-mnist",
            PretrainEpochs: 4,
            Epochs: 4,
            BatchSize: 128,
            LearningRate: 0.02,
            Methods,
            TrainLimit: null,
            TestLimit: null,
            Variants: "l1,folded,folded+comp",
            "the Figure 2 protocol on the default job's network and data (6,000 / 2,000 images); P1 scaled from 0.02, as P1's 0.1 is too high for SmallCnn"),
    ];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Figure2Preset? Find(string name) =>
        All.FirstOrDefault(p => p.Name.Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
