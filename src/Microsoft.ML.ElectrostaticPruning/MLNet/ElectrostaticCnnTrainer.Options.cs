namespace Microsoft.ML.ElectrostaticPruning;

public sealed partial class ElectrostaticCnnTrainer
{
    /// <summary>
    /// Settings of <see cref="ElectrostaticCnnTrainer"/>. Training minimises the paper's Eq. 7,
    /// <c>J~ = sum_{n,l} J(w_{n,l}; X, y) + alpha_e F_{e,n,l}</c> with <c>F_e = k_e |q_1| |q_n| / r^2</c>, by SGD with momentum
    /// on the conv layers that <see cref="PruningPlan"/> prunes, then removes the filters with the smallest L1 norms.
    /// Every option is checked when the trainer is created (the catalog call); an invalid value throws an exception that
    /// names the option and its valid range.
    /// </summary>
    public sealed class Options
    {
        /// <summary>Label column: a key type with at least 2 classes (use MapValueToKey first). Default "Label".</summary>
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

        /// <summary>Feature column: a known-size vector of Single holding C x H x W values in planar CHW order (ExtractPixels' layout). Default "Features".</summary>
        public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

        /// <summary>Output column of the K class probabilities (softmax of the logits). Default "Score".</summary>
        public string ScoreColumnName { get; set; } = Defaults.ScoreColumnName;

        /// <summary>Output column of the predicted class, a key of the label's key type. Default "PredictedLabel".</summary>
        public string PredictedLabelColumnName { get; set; } = Defaults.PredictedLabelColumnName;

        /// <summary>The network to train. Default <see cref="CnnArchitecture.SmallCnn"/> (two conv stages; suits 28x28 images).</summary>
        public CnnArchitecture Architecture { get; set; } = Defaults.Architecture;

        /// <summary>
        /// Shape of one image, C x H x W, with <c>C * H * W</c> equal to the feature vector size. Default null: taken from the
        /// feature column's dimensions when it has three (as ExtractPixels' output does), otherwise inferred from its size N:
        /// 1 x s x s when N = s², 3 x s x s when N = 3 s² (never both); any other size requires this option.
        /// </summary>
        public ImageShape? ImageShape { get; set; }

        /// <summary>Training epochs, at least 1. Default 10.</summary>
        public int Epochs { get; set; } = Defaults.Epochs;

        /// <summary>
        /// Images per SGD step, at least 1. Default 128. A training set with fewer rows trains with one batch of all rows
        /// (the summary's options line says so).
        /// </summary>
        public int BatchSize { get; set; } = Defaults.BatchSize;

        /// <summary>
        /// Learning rate per epoch (multi-step: the rate of the last milestone at or before the epoch). Default
        /// <see cref="LearningRateSchedule.P1Scaled"/>: the paper's P1 (0.1, 0.01 from epoch 100, 0.001 from 150 of 200) at
        /// the same fractions of <see cref="Epochs"/> (10 epochs: <c>0:0.1,5:0.01,7:0.001</c>); <see cref="LearningRateSchedule.P1"/>
        /// is the paper's schedule with its fixed epochs, which a run shorter than 100 epochs never decays.
        /// </summary>
        public LearningRateSchedule LearningRateSchedule { get; set; } = Defaults.LearningRateSchedule;

        /// <summary>
        /// Epochs of linear learning-rate warm-up at the start of training, at least 0: in epoch e &lt; WarmupEpochs, step s of
        /// S steps per epoch uses <c>rate(e) * min(1, (e*S + s + 1) / (WarmupEpochs*S))</c> (Goyal et al. 2017). Default 1; 0 is
        /// the paper's schedule exactly. Fine-tuning never warms up.
        /// </summary>
        public int WarmupEpochs { get; set; } = Defaults.WarmupEpochs;

        /// <summary>SGD momentum, in [0, 1). Default 0.9.</summary>
        public double Momentum { get; set; } = Defaults.Momentum;

        /// <summary>SGD weight decay (L2 on every parameter), finite and at least 0. Default 0 (the paper's "pr" runs; 5e-4 for "pr + ft").</summary>
        public double WeightDecay { get; set; } = Defaults.WeightDecay;

        /// <summary>CIFAR-style augmentation (4-pixel zero padding, random crop, random horizontal flip). Default false.</summary>
        public bool Augment { get; set; }

        /// <summary>
        /// The penalty added to the cross-entropy of the convs <see cref="PruningPlan"/> prunes, with its own settings, in the
        /// style of LightGBM's boosters. Default <c>new FoldedForceRegularizer.Options()</c>: the electrostatic force on
        /// BatchNorm-folded charges at alpha_e 1e-12 from half-way through training, graded over <see cref="AnyRatio"/>'s range
        /// (on the filters the plan removes alone when <see cref="AnyRatio"/> is null).
        /// <see cref="ElectrostaticForceRegularizer.Options"/> is the paper's force on raw weights, as published;
        /// <see cref="NetworkSlimmingRegularizer.Options"/> and <see cref="L1Regularizer.Options"/> are the baselines; null
        /// trains on cross-entropy alone (the plan still prunes).
        /// </summary>
        public PruningRegularizer.OptionsBase? Regularizer { get; set; } = Defaults.Regularizer;

        /// <summary>
        /// Which filters to remove after training, and on which layers the penalty acts: a uniform ratio, a ResNet per-stage list,
        /// a layer map, the paper's sweep or a FLOPs speedup, ratios in [0, 1) (see <see cref="ElectrostaticPruning.PruningPlan"/>).
        /// Default <c>PruningPlan.Parse("sweep 0.5 rank folded compensate")</c>: the paper's sweep at 0.5 (every prunable conv
        /// loses half its filters, VGG's first conv none: the layers any-ratio training's sub-networks prune), filters ranked by
        /// their BatchNorm-folded L1 norm and the removed channels' expected output compensated, which keeps far more accuracy
        /// without fine-tuning than the paper's pruning (<c>"sweep 0.5"</c>: raw-L1 ranking, no compensation) on BatchNorm
        /// networks. Text goes through
        /// <see cref="ElectrostaticPruning.PruningPlan.Parse"/>.
        /// </summary>
        public PruningPlan PruningPlan { get; set; } = Defaults.PruningPlan;

        /// <summary>
        /// Trains every ratio of a range, not only <see cref="PruningPlan"/>'s: sandwich training of sub-networks that are
        /// the network pruned at ratios of the range (see <see cref="AnyRatioTrainingOptions"/>), about 1 +
        /// <c>SubNetworks</c> times the cost of a plain epoch in the epochs it trains. Default <c>new AnyRatioTrainingOptions()</c>:
        /// ratios 0.1-0.7 from half-way (<c>Epochs / 2</c>; from the first epoch of a warm start), so the model <c>Fit</c>
        /// returns can be re-pruned anywhere in that range without retraining (<c>Prune(plan)</c>, or
        /// <c>Prune(plan, calibrationData)</c> for BatchNorm statistics of the pruned width); null trains the full network
        /// only (half the cost; the targeted force then prepares <see cref="PruningPlan"/>'s ratio alone).
        /// </summary>
        public AnyRatioTrainingOptions? AnyRatio { get; set; } = Defaults.AnyRatio;

        /// <summary>
        /// Training images on which <c>Fit</c> re-estimates the BatchNorm running statistics of the pruned network it returns
        /// (forward passes only, statistics reset, cumulative average, no labels; a sample drawn with <see cref="Seed"/>, all
        /// images when there are fewer), as <c>Prune(plan, calibrationData)</c> does; before fine-tuning when there is any.
        /// 0 or more; 0 keeps the dense network's statistics in the pruned one (data-free, what <c>Prune(plan)</c> does).
        /// Default 2,000 (Once-for-All's count): sub-network passes of <see cref="AnyRatio"/> training never update the
        /// running statistics, and on ResNet-20 and VGG-11 the data-free pruned network kept 10-29% where the recalibrated
        /// one keeps its accuracy (docs/results.md, "What a new user gets").
        /// </summary>
        public int CalibrationImages { get; set; } = Defaults.CalibrationImages;

        /// <summary>Epochs of plain cross-entropy training of the pruned network after pruning, at least 0. Default 0 (none).</summary>
        public int FineTuneEpochs { get; set; } = Defaults.FineTuneEpochs;

        /// <summary>
        /// Learning rate per fine-tuning epoch. Default <see cref="LearningRateSchedule.P2"/> = <c>"0:1e-2,60:1e-3,90:1e-4"</c>,
        /// the paper's fine-tuning schedule (Table 1), the same as <see cref="ElectrostaticCnnTransformer.FineTuneOptions"/>'s.
        /// </summary>
        public LearningRateSchedule FineTuneSchedule { get; set; } = Defaults.FineTuneLearningRateSchedule;

        /// <summary>
        /// SGD weight decay (L2 coefficient) while fine-tuning, at least 0. Default 5e-4, the paper's fine-tuning setting
        /// (Table 1, SGD(0.9, 5e-4)); training itself uses <see cref="WeightDecay"/>.
        /// </summary>
        public double FineTuneWeightDecay { get; set; } = Defaults.FineTuneWeightDecay;

        /// <summary>
        /// Seed of initialisation, shuffling and augmentation; a fixed seed reproduces a CPU run exactly. Default null: drawn from
        /// the MLContext's random source, so <c>new MLContext(seed: 1)</c> makes training deterministic too.
        /// </summary>
        public int? Seed { get; set; }

        /// <summary>Where to train. Default <see cref="TrainingDevice.Auto"/> (CUDA when the loaded libtorch sees a GPU, else the CPU).</summary>
        public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

        /// <summary>Optional data evaluated after every epoch (top-1 accuracy in <see cref="EpochMetrics.ValidationAccuracy"/>); same columns as the training data.</summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>Called on the training thread after every epoch (training, then fine-tuning); the same message also goes to <c>MLContext.Log</c>.</summary>
        public Action<EpochMetrics>? ProgressCallback { get; set; }

        /// <summary>Cancels training between SGD steps (Fit then throws <see cref="OperationCanceledException"/>).</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>
        /// A file that <c>Fit</c> writes atomically after every epoch (training and fine-tuning) with everything it needs to
        /// continue: the network's weights and BatchNorm statistics, the momentum buffers, the epochs done and their metrics;
        /// the shuffling, augmentation and torch RNG of an epoch are functions of (<see cref="Seed"/>, epoch). A <c>Fit</c> with
        /// the same options and the same training data on a machine where the file exists continues after its last
        /// completed epoch, with the same result as a run that was never interrupted (bit-identical on the CPU); a file
        /// written with other options or data is refused with a message that says what differs. The file stays when Fit
        /// completes, so Fit called again returns the same model without training. Default null: no checkpoint. A fixed
        /// <see cref="Seed"/> is required.
        /// </summary>
        /// <example>
        /// A complete program, an interrupted Fit resumed from its checkpoint: <c>src/Samples/Examples/CheckpointAndResume.cs</c> in the repository, run by
        /// <c>dotnet run -c Release --project src/Samples -- example checkpoint</c>.
        /// </example>
        public string? CheckpointPath { get; set; }

        /// <summary>
        /// Per-channel normalization <c>(x - mean[c]) / std[c]</c> applied inside the network, before the first conv, in
        /// training, scoring, the saved model, the ONNX export and the PyTorch export: what pretrained networks expect (e.g.
        /// <see cref="ElectrostaticPruning.InputNormalization.ImageNet"/> for torchvision's weights on pixels scaled to [0, 1]), since
        /// ML.NET's <c>ExtractPixels</c> has one offset and scale for all channels. One mean and std per image channel.
        /// Default null: none. A warm start keeps its model's normalization (null here, or the same).
        /// </summary>
        public InputNormalization? InputNormalization { get; set; }

        /// <summary>Images per forward pass when the transformer scores data (Transform, Evaluate), at least 1. Default 256.</summary>
        public int InferenceBatchSize { get; set; } = Defaults.InferenceBatchSize;

        /// <summary>A copy of these options (the trainer keeps its own copy so later changes by the caller do not affect it).</summary>
        internal Options Clone()
        {
            var copy = (Options)MemberwiseClone();
            copy.Regularizer = Regularizer?.Clone();
            copy.AnyRatio = AnyRatio?.Clone();
            return copy;
        }

        /// <summary>
        /// Checks every option; the exception names the option, the value and the valid range. The training and fine-tuning
        /// settings are checked by the one internal settings record (<see cref="ToTrainingOptions"/>), under these options' names.
        /// </summary>
        internal void Validate()
        {
            OptionChecks.RequireName(LabelColumnName, nameof(LabelColumnName));
            OptionChecks.RequireName(FeatureColumnName, nameof(FeatureColumnName));
            OptionChecks.RequireName(ScoreColumnName, nameof(ScoreColumnName));
            OptionChecks.RequireName(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
            if (ScoreColumnName == PredictedLabelColumnName)
            {
                throw new ArgumentException($"ScoreColumnName and PredictedLabelColumnName must differ; both are '{ScoreColumnName}'.", nameof(PredictedLabelColumnName));
            }

            if (!Enum.IsDefined(Architecture))
            {
                throw new ArgumentOutOfRangeException(nameof(Architecture), Architecture, $"Architecture must be one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}.");
            }

            if (ImageShape is { } shape && (shape.Channels < 1 || shape.Height < 1 || shape.Width < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ImageShape), shape, "ImageShape needs Channels, Height and Width of at least 1.");
            }

            ToTrainingOptions(seed: 0, fineTune: false).Validate(TrainingOptionName);
            ArgumentNullException.ThrowIfNull(PruningPlan, nameof(PruningPlan));
            if (FineTuneEpochs < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(FineTuneEpochs), FineTuneEpochs, "FineTuneEpochs must be at least 0 (0 = no fine-tuning).");
            }

            if (FineTuneEpochs > 0)
            {
                ToTrainingOptions(seed: 0, fineTune: true).Validate(FineTuneOptionName);
            }
            else
            {
                ArgumentNullException.ThrowIfNull(FineTuneSchedule, nameof(FineTuneSchedule));
                OptionChecks.RequireNonNegative(FineTuneWeightDecay, nameof(FineTuneWeightDecay), TrainingOptions.WeightDecayHint);
            }

            if (CheckpointPath is not null && (string.IsNullOrWhiteSpace(CheckpointPath) || Seed is null))
            {
                throw new ArgumentException(
                    string.IsNullOrWhiteSpace(CheckpointPath)
                        ? "CheckpointPath must name a file; it is empty. Set it to null for no checkpoint."
                        : "CheckpointPath needs a fixed Seed: a resumed run must draw the same batches as the interrupted one.",
                    nameof(CheckpointPath));
            }

            if (CalibrationImages < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(CalibrationImages), CalibrationImages, "CalibrationImages must be at least 0 (0 = the pruned network keeps the dense network's BatchNorm statistics).");
            }

            OptionChecks.RequirePositive(InferenceBatchSize, nameof(InferenceBatchSize));
        }

        /// <summary>
        /// The settings of the training run (or, with <paramref name="fineTune"/>, of the fine-tuning run after pruning): plain
        /// cross-entropy with <see cref="FineTuneEpochs"/>, <see cref="FineTuneSchedule"/> and <see cref="FineTuneWeightDecay"/>,
        /// seed + 1.
        /// </summary>
        internal TrainingOptions ToTrainingOptions(int seed, bool fineTune, bool warmStart = false) => new()
        {
            PenaltyStartEpoch = fineTune ? 0 : ResolvePenaltyStartEpoch(warmStart),
            Epochs = fineTune ? FineTuneEpochs : Epochs,
            BatchSize = BatchSize,
            Schedule = fineTune ? FineTuneSchedule : LearningRateSchedule,
            Momentum = Momentum,
            WarmupEpochs = fineTune ? 0 : WarmupEpochs,
            WeightDecay = fineTune ? FineTuneWeightDecay : WeightDecay,
            Augment = Augment,
            Regularizer = fineTune ? null : Regularizer,
            AnyRatio = fineTune ? null : AnyRatio?.Resolved(Epochs, warmStart),
            Plan = PruningPlan,
            Seed = fineTune ? unchecked(seed + 1) : seed,
            Device = Device,
        };

        private static string TrainingOptionName(string setting) => setting switch
        {
            nameof(TrainingOptions.Schedule) => nameof(LearningRateSchedule),
            _ => setting,
        };

        private static string FineTuneOptionName(string setting) => setting switch
        {
            nameof(TrainingOptions.Epochs) => nameof(FineTuneEpochs),
            nameof(TrainingOptions.Schedule) => nameof(FineTuneSchedule),
            nameof(TrainingOptions.WeightDecay) => nameof(FineTuneWeightDecay),
            _ => TrainingOptionName(setting),
        };

        /// <summary>The regularizer's start epoch, or its default for a run from random weights or (<paramref name="warmStart"/>) from an initial model.</summary>
        internal int ResolvePenaltyStartEpoch(bool warmStart) => Regularizer?.ResolveStartEpoch(Epochs, warmStart) ?? 0;

        /// <summary>One line listing the settings, kept in the model summary.</summary>
        internal string Describe(int? batchSize = null, bool warmStart = false) => string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"architecture {Architecture}, epochs {Epochs}, batch {batchSize ?? BatchSize}, lr {LearningRateSchedule?.ForEpochs(Math.Max(1, Epochs))}{(LearningRateSchedule?.ScalesWithEpochs == true ? $" ({LearningRateSchedule})" : string.Empty)}{(WarmupEpochs > 0 ? $" (warm-up {WarmupEpochs})" : string.Empty)}, momentum {Momentum}, weight decay {WeightDecay}, " +
            $"augment {Augment}, regularizer {(Regularizer is null ? "none" : Regularizer.Describe(AnyRatio))}{PenaltyStartDetail(warmStart)}, plan {PruningPlan}{(AnyRatio is null ? string.Empty : $", {AnyRatio.Resolved(Epochs, warmStart)}")}, {(CalibrationImages > 0 ? $"BatchNorm recalibrated on {CalibrationImages} training images" : "data-free BatchNorm statistics")}, fine-tune {FineTuneEpochs} epochs (lr {FineTuneSchedule}), device {Device}{(InputNormalization is null ? string.Empty : $", input normalization {InputNormalization}")}");

        private string PenaltyStartDetail(bool warmStart) =>
            Regularizer is not null && ResolvePenaltyStartEpoch(warmStart) is int start and > 0
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" from epoch {start} (epochs 0-{start - 1} plain)")
                : string.Empty;
    }
}
