using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>
/// The flags that set <see cref="ElectrostaticCnnTrainer.Options"/> and its regularizer options, shared by <c>train</c>,
/// <c>compare</c> and <c>experiment</c>. A flag left out keeps the value the command starts from (the library's default
/// for <c>train</c>, the job's or the preset's otherwise); the library checks every value and its message is reported
/// under the flag.
/// </summary>
internal class TrainingSettings : DataSettings
{
    /// <summary>The flag of each option, keyed by the name the library's exceptions give it.</summary>
    public static readonly IReadOnlyDictionary<string, string> OptionFlags = new Dictionary<string, string>
    {
        [nameof(ElectrostaticCnnTrainer.Options.Architecture)] = "--architecture",
        [nameof(ElectrostaticCnnTrainer.Options.Epochs)] = "--epochs",
        [nameof(ElectrostaticCnnTrainer.Options.BatchSize)] = "--batch-size",
        [nameof(ElectrostaticCnnTrainer.Options.LearningRateSchedule)] = "--lr",
        [nameof(ElectrostaticCnnTrainer.Options.Momentum)] = "--momentum",
        [nameof(ElectrostaticCnnTrainer.Options.WeightDecay)] = "--weight-decay",
        [nameof(ElectrostaticCnnTrainer.Options.PruningPlan)] = "--plan",
        [nameof(ElectrostaticCnnTrainer.Options.FineTuneEpochs)] = "--finetune-epochs",
        [nameof(ElectrostaticCnnTrainer.Options.CheckpointPath)] = "--checkpoint",
        [nameof(ElectrostaticCnnTrainer.Options.CalibrationImages)] = "--calibration-images",
        [nameof(ElectrostaticCnnTrainer.Options.Seed)] = "--seed",
        [nameof(ElectrostaticCnnTrainer.Options.Device)] = "--device",
        [nameof(FoldedForceRegularizer.Options.ForceRate)] = "--alpha",
        [nameof(FoldedForceRegularizer.Options.CoulombConstant)] = "--coulomb",
        [nameof(ElectrostaticForceRegularizer.Options.GradientMode)] = "--gradient-mode",
        [nameof(PruningRegularizer.OptionsBase.StartEpoch)] = "--penalty-start",
        [nameof(ElectrostaticCnnTrainer.Options.InputNormalization)] = "--input-normalization",
        [$"{nameof(FoldedForceRegularizer)}.Options.{nameof(FoldedForceRegularizer.Options.GradedUpToRatio)}"] = "--graded-up-to",
        [$"{nameof(AnyRatioTrainingOptions)}.{nameof(AnyRatioTrainingOptions.MaxRatio)}"] = "--any-ratio",
        [$"{nameof(AnyRatioTrainingOptions)}.{nameof(AnyRatioTrainingOptions.SubNetworks)}"] = "--sub-networks",
        [$"{nameof(AnyRatioTrainingOptions)}.{nameof(AnyRatioTrainingOptions.SubNetworkWeight)}"] = "--sub-network-weight",

        // The library checks the resolved start epoch under this name.
        ["PenaltyStartEpoch"] = "--penalty-start",
        [$"{nameof(L1Regularizer)}.Options.{nameof(L1Regularizer.Options.Rate)}"] = "--l1-rate",
        [$"{nameof(NetworkSlimmingRegularizer)}.Options.{nameof(NetworkSlimmingRegularizer.Options.Rate)}"] = "--slimming-rate",
    };

    // The regularizer settings and the kinds (Regularizers.Kinds) that have each.
    private static readonly (string Flag, string[] Kinds)[] Knobs =
    [
        ("--alpha", ["folded", "electrostatic"]),
        ("--coulomb", ["folded", "electrostatic"]),
        ("--gradient-mode", ["electrostatic"]),
        ("--untargeted", ["folded"]),
        ("--graded-up-to", ["folded"]),
        ("--l1-rate", ["l1"]),
        ("--slimming-rate", ["slimming"]),
        ("--penalty-start", ["folded", "electrostatic", "l1", "slimming"]),
    ];

    /// <summary>Options.Architecture.</summary>
    [CommandOption("-a|--architecture <NAME>")]
    [Description("Network (Architecture): SmallCnn, ResNet20/32/44/56/110, Vgg11/13/16/19, ResNet18/34/50.")]
    public string? Architecture { get; set; }

    /// <summary>Options.Epochs.</summary>
    [CommandOption("-e|--epochs <N>")]
    [Description("Training epochs (Epochs), at least 1.")]
    public int? Epochs { get; set; }

    /// <summary>Options.BatchSize.</summary>
    [CommandOption("-b|--batch-size <N>")]
    [Description("Images per SGD step (BatchSize), at least 1.")]
    public int? BatchSize { get; set; }

    /// <summary>Options.LearningRateSchedule.</summary>
    [CommandOption("--lr <SCHEDULE>")]
    [Description("Learning-rate schedule (LearningRateSchedule): P1-scaled (the library's default: P1's 0.1, 0.01, 0.001 from 1/2 and 3/4 of --epochs), P1 (0:1e-1,100:1e-2,150:1e-3), P2 (0:1e-2,60:1e-3,90:1e-4) or 'epoch:rate,...'.")]
    public string? LearningRate { get; set; }

    /// <summary>Options.Momentum.</summary>
    [CommandOption("--momentum <M>")]
    [Description("SGD momentum (Momentum), in [[0, 1).")]
    public double? Momentum { get; set; }

    /// <summary>Options.WeightDecay.</summary>
    [CommandOption("--weight-decay <WD>")]
    [Description("SGD weight decay (WeightDecay), 0 or more.")]
    public double? WeightDecay { get; set; }

    /// <summary>Options.Augment.</summary>
    [CommandOption("--augment")]
    [Description("CIFAR-style augmentation (Augment): 4-pixel padding, random crop, horizontal flip.")]
    public bool? Augment { get; set; }

    /// <summary>Options.PruningPlan, as PruningPlan.Parse text.</summary>
    [CommandOption("-p|--plan <PLAN>")]
    [Description("Pruning plan (PruningPlan): a ratio ('0.5'), per ResNet stage ('[[0,0.52,0.52,0.52,0]]'), per layer ('[[0:0,1-15:0.65]]'), the paper's sweep ('sweep 0.5': VGG's first conv kept whole) or a FLOPs speedup ('speedup 3'), then optionally 'skip 1.0,2.0' (ResNet blocks kept whole), 'round 16', 'rank folded' and 'compensate'.")]
    public string? Plan { get; set; }

    /// <summary>Fine-tuning epochs after pruning.</summary>
    [CommandOption("--finetune-epochs <N>")]
    [Description("Epochs of fine-tuning after pruning with SGD(0.9, 5e-4) and P2; 0 = none.")]
    public int? FinetuneEpochs { get; set; }

    /// <summary>Options.Regularizer's kind.</summary>
    [CommandOption("-r|--regularizer <KIND>")]
    [Description("Regularizer: folded (the library's default: the force on BatchNorm-folded charges), electrostatic (the paper's force), l1, slimming (network slimming) or none.")]
    public string? Regularizer { get; set; }

    /// <summary>ForceRate of the folded or electrostatic force.</summary>
    [CommandOption("--alpha|--force-rate <ALPHA_E>")]
    [Description("folded, electrostatic: force rate alpha_e (ForceRate), at least 0; the paper uses 1e-11 ... 1e-17.")]
    public double? Alpha { get; set; }

    /// <summary>CoulombConstant of the folded or electrostatic force.</summary>
    [CommandOption("--coulomb <K_E>")]
    [Description("folded, electrostatic: Coulomb constant k_e (CoulombConstant), greater than 0; default 8.99e9.")]
    public double? CoulombConstant { get; set; }

    /// <summary>GradientMode of the electrostatic force.</summary>
    [CommandOption("--gradient-mode <MODE>")]
    [Description("electrostatic: paper (Eq. 10, default) or exact (autograd through q_1 and r) (GradientMode).")]
    public string? GradientMode { get; set; }

    /// <summary>TargetPrunedFilters = false for the folded force.</summary>
    [CommandOption("--untargeted")]
    [Description("folded: let the force act on every filter, not only on those the plan removes (TargetPrunedFilters = false).")]
    public bool Untargeted { get; set; }

    /// <summary>Rate of the L1 regularizer.</summary>
    [CommandOption("--l1-rate <RATE>")]
    [Description("l1: rate of rate * sum |w| (Rate), at least 0; default 1e-2.")]
    public double? L1Rate { get; set; }

    /// <summary>Rate of network slimming.</summary>
    [CommandOption("--slimming-rate <RATE>")]
    [Description("slimming: rate of rate * sum |gamma| (Rate), at least 0; default 1e-4.")]
    public double? SlimmingRate { get; set; }

    /// <summary>StartEpoch of any regularizer.</summary>
    [CommandOption("--penalty-start <EPOCH>")]
    [Description("Every regularizer: first epoch (0-based) with the penalty (StartEpoch); default the kind's own (half-way for folded from random weights, else 0).")]
    public int? PenaltyStart { get; set; }

    /// <summary>Options.AnyRatio: sandwich training over a ratio range.</summary>
    [CommandOption("--any-ratio <MIN-MAX>")]
    [Description("Train every ratio of a range, e.g. 0.1-0.7 (AnyRatio: sandwich training of the network pruned at ratios of the range, about 1.7x the cost of a plain epoch), or none for the full network only; default the library's 0.1-0.7.")]
    public string? AnyRatio { get; set; }

    /// <summary>AnyRatioTrainingOptions.SubNetworks: sub-network passes per SGD step.</summary>
    [CommandOption("--sub-networks <N>")]
    [Description("Sub-network passes per SGD step of any-ratio training (AnyRatio.SubNetworks), at least 1; default 1 (steps alternate between the narrowest and a random ratio; 2 or more: the narrowest and random ones every step, about 2.4x a plain step with 2).")]
    public int? SubNetworks { get; set; }

    /// <summary>AnyRatioTrainingOptions.SubNetworkWeight: weight of each sub-network's loss.</summary>
    [CommandOption("--sub-network-weight <W>")]
    [Description("Weight of each sub-network's loss against the full network's in any-ratio training (AnyRatio.SubNetworkWeight), 0 < W <= 1; default 1 (the sandwich rule). 0.5 kept SmallCnn's dense network 0.62 points closer to plain training but widened ResNet-20's pruned gap to 3.75 points (docs/any-ratio.md).")]
    public double? SubNetworkWeight { get; set; }

    /// <summary>GradedUpToRatio of the folded force.</summary>
    [CommandOption("--graded-up-to <RATIO>")]
    [Description("folded: weight the force on each filter by its chance of removal for ratios from the plan's up to RATIO (GradedUpToRatio); default graded over --any-ratio's range, or the plan alone with --any-ratio none.")]
    public double? GradedUpTo { get; set; }

    /// <summary>Options.InputNormalization.</summary>
    [CommandOption("--input-normalization <NORM>")]
    [Description("Per-channel (x - mean) / std inside the network (InputNormalization): 'imagenet' or 'MEAN,...:STD,...'; default none.")]
    public string? InputNormalization { get; set; }

    /// <summary>The training flags that were given, in the order of <c>--help</c>.</summary>
    public IEnumerable<string> GivenFlags()
    {
        (string Flag, object? Value)[] flags =
        [
            ("--architecture", Architecture), ("--epochs", Epochs), ("--batch-size", BatchSize), ("--lr", LearningRate),
            ("--momentum", Momentum), ("--weight-decay", WeightDecay), ("--augment", Augment), ("--plan", Plan),
            ("--finetune-epochs", FinetuneEpochs), ("--regularizer", Regularizer), ("--alpha", Alpha), ("--coulomb", CoulombConstant),
            ("--gradient-mode", GradientMode), ("--untargeted", Untargeted), ("--l1-rate", L1Rate), ("--slimming-rate", SlimmingRate),
            ("--penalty-start", PenaltyStart), ("--any-ratio", AnyRatio), ("--sub-networks", SubNetworks), ("--sub-network-weight", SubNetworkWeight), ("--graded-up-to", GradedUpTo), ("--input-normalization", InputNormalization),
        ];
        return flags.Where(f => f.Value is not (null or false)).Select(f => f.Flag);
    }

    /// <summary>
    /// Sets what the training flags give: network, epochs, batch size, schedule, momentum, weight decay, augmentation and
    /// plan, and always the seed and the device. The regularizer is <see cref="ApplyKnobs"/>'s.
    /// </summary>
    /// <exception cref="FormatException">A flag's text cannot be parsed; the message names it.</exception>
    public ElectrostaticCnnTrainer.Options ApplyTraining(ElectrostaticCnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Architecture = Architecture is null ? options.Architecture : OptionParsing.ParseArchitecture(Architecture);
        options.Epochs = Epochs ?? options.Epochs;
        options.BatchSize = BatchSize ?? options.BatchSize;
        options.LearningRateSchedule = LearningRate is null ? options.LearningRateSchedule : OptionParsing.ParseSchedule(LearningRate);
        options.Momentum = Momentum ?? options.Momentum;
        options.WeightDecay = WeightDecay ?? options.WeightDecay;
        options.Augment = Augment ?? options.Augment;
        options.PruningPlan = Plan is null ? options.PruningPlan : OptionParsing.ParsePlan(Plan);
        options.Seed = Seed;
        options.Device = OptionParsing.ParseDevice(Device);
        // A model that trains without a range (compare's baselines) keeps none unless --any-ratio gives one.
        options.AnyRatio = AnyRatio is null && options.AnyRatio is null ? null : ParsedAnyRatio(options.AnyRatio);
        options.InputNormalization = InputNormalization is null ? options.InputNormalization : OptionParsing.ParseNormalization(InputNormalization);
        return options;
    }

    /// <summary>
    /// The any-ratio training <c>--any-ratio</c>, <c>--sub-networks</c> and <c>--sub-network-weight</c> give: the range's
    /// (<paramref name="start"/> when <c>--any-ratio</c> is left out), in a copy with <c>--sub-networks</c> passes per step
    /// and <c>--sub-network-weight</c> when those are given.
    /// </summary>
    /// <exception cref="FormatException"><c>--any-ratio</c> is not a range nor none.</exception>
    /// <exception cref="ArgumentException"><c>--sub-networks</c> or <c>--sub-network-weight</c> without any-ratio training (<c>--any-ratio none</c>, or a command whose models train without it).</exception>
    public AnyRatioTrainingOptions? ParsedAnyRatio(AnyRatioTrainingOptions? start)
    {
        var range = AnyRatio is null ? start : OptionParsing.ParseRatioRange(AnyRatio);
        if (SubNetworks is null && SubNetworkWeight is null)
        {
            return range;
        }

        string flag = SubNetworks is null ? "--sub-network-weight" : "--sub-networks";
        return range is null
            ? throw new ArgumentException($"{flag} sets the sub-networks of any-ratio training; give --any-ratio MIN-MAX too (here it trains none).", flag)
            : new AnyRatioTrainingOptions
            {
                MinRatio = range.MinRatio,
                MaxRatio = range.MaxRatio,
                SubNetworks = SubNetworks ?? range.SubNetworks,
                SubNetworkWeight = SubNetworkWeight ?? range.SubNetworkWeight,
                DistillationWeight = range.DistillationWeight,
                StartEpoch = range.StartEpoch,
            };
    }

    /// <summary>
    /// Sets the regularizer settings the flags give (<c>--alpha</c>, <c>--coulomb</c>, <c>--gradient-mode</c>,
    /// <c>--untargeted</c>, <c>--l1-rate</c>, <c>--slimming-rate</c>, <c>--penalty-start</c>) on every one of
    /// <paramref name="regularizers"/> whose kind has the setting.
    /// </summary>
    /// <exception cref="ArgumentException">A flag was given that none of <paramref name="regularizers"/> has; the message names it and the kinds that have it.</exception>
    /// <exception cref="FormatException"><c>--gradient-mode</c> is neither paper nor exact.</exception>
    public void ApplyKnobs(IReadOnlyCollection<PruningRegularizer.OptionsBase?> regularizers)
    {
        ArgumentNullException.ThrowIfNull(regularizers);
        var kinds = regularizers.Select(Regularizers.KindOf).Distinct().ToList();
        var given = GivenFlags().ToHashSet();
        var (flag, accepting) = Knobs.FirstOrDefault(k => given.Contains(k.Flag) && !kinds.Intersect(k.Kinds).Any());
        if (flag is not null)
        {
            var here = kinds.Count > 1 ? $"the regularizers here are {string.Join(", ", kinds)}" : $"the regularizer here is {kinds[0]}";
            throw new ArgumentException($"{flag} applies to --regularizer {string.Join(" or ", accepting)} only, and {here}.", flag);
        }

        var mode = GradientMode is null ? (ForceGradientMode?)null : OptionParsing.ParseGradientMode(GradientMode);
        foreach (var regularizer in regularizers.OfType<PruningRegularizer.OptionsBase>())
        {
            regularizer.StartEpoch = PenaltyStart ?? regularizer.StartEpoch;
            switch (regularizer)
            {
                case FoldedForceRegularizer.Options folded:
                    folded.ForceRate = Alpha ?? folded.ForceRate;
                    folded.CoulombConstant = CoulombConstant ?? folded.CoulombConstant;
                    folded.TargetPrunedFilters &= !Untargeted;
                    folded.GradedUpToRatio = GradedUpTo ?? folded.GradedUpToRatio;
                    break;
                case ElectrostaticForceRegularizer.Options force:
                    force.ForceRate = Alpha ?? force.ForceRate;
                    force.CoulombConstant = CoulombConstant ?? force.CoulombConstant;
                    force.GradientMode = mode ?? force.GradientMode;
                    break;
                case L1Regularizer.Options l1:
                    l1.Rate = L1Rate ?? l1.Rate;
                    break;
                case NetworkSlimmingRegularizer.Options slimming:
                    slimming.Rate = SlimmingRate ?? slimming.Rate;
                    break;
            }
        }
    }

    /// <summary>The trainer for <paramref name="options"/>; the library's checks are reported under the flags (<see cref="OptionFlags"/>).</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message starts with its flag.</exception>
    public static ElectrostaticCnnTrainer CreateTrainer(MLContext mlContext, ElectrostaticCnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return FlagErrors.Named(() => mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(options), OptionFlags);
    }
}
