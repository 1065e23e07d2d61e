namespace ElectrostaticPruning.Samples.Study;

/// <summary>The Figure 2 protocol presets of <c>experiment</c>.</summary>
internal static class Figure2Presets
{
    /// <summary>The methods of both presets: the paper's baselines and alphas, network slimming, and the folded force.</summary>
    public const string Methods = "plain,l1:1e-2,slimming:1e-4,slimming:3e-2,ef:1e-11,ef:1e-12,ef:1e-14,ef-folded:3e-12,ef-folded:1e-11";

    /// <summary>All presets.</summary>
    public static IReadOnlyList<Figure2Preset> All { get; } =
    [
        new(
            "figure2-fashion",
            "ResNet-56 on Fashion-MNIST, Figure 2 protocol",
            Microsoft.ML.ElectrostaticPruning.CnnArchitecture.ResNet56,
            "the full Fashion-MNIST IDX folder (apt-get install dataset-fashion-mnist: /usr/share/datasets/fashion-mnist)",
            "/usr/share/datasets/fashion-mnist",
            PretrainEpochs: 2,
            Epochs: 1,
            BatchSize: 128,
            LearningRate: 0.1,
            Methods,
            TrainLimit: 6_000,
            "the paper's MNIST network (ResNet-56) and protocol (pretrained start, continued training with each regularizer at Table 1's pr settings SGD(0.9, 0) and P1 scaled to the budget, pruning without fine-tuning); " +
            "a 6,000-image training subsample and 2 + 1 epochs; NOT validated: on 2 cores one ResNet-56 epoch over 2,000 images took about 1.5 minutes and 2 epochs left it at 16% training accuracy, so this budget neither trains the network nor fits 90 minutes with the full test set (see README)"),
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
            "the Figure 2 protocol on the default job's network and data (6,000 / 2,000 images); P1 scaled from 0.02, as P1's 0.1 is too high for SmallCnn"),
    ];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Figure2Preset? Find(string name) =>
        All.FirstOrDefault(p => p.Name.Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
