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
        /// <see cref="LearningRateSchedule.P1"/> = <c>"0:1e-1,100:1e-2,150:1e-3"</c>, the paper's schedule.
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
        /// Penalty added to the cross-entropy of the layers to prune. Default <see cref="RegularizerKind.FoldedElectrostaticForce"/>
        /// (the force on BatchNorm-folded charges; with <see cref="TargetPrunedFilters"/> and <see cref="PenaltyStartEpoch"/> at
        /// their defaults it acts from half-way on the filters the plan removes). <see cref="RegularizerKind.ElectrostaticForce"/>
        /// is the paper's force on raw weights, as published.
        /// </summary>
        public RegularizerKind Regularizer { get; set; } = Defaults.Regularizer;

        /// <summary>
        /// Electrostatic force rate <c>alpha_e</c> of Eq. 7, finite and at least 0; used when <see cref="Regularizer"/> is
        /// ElectrostaticForce or FoldedElectrostaticForce. Default 1e-11, measured for the default folded force on the filters
        /// the plan removes (SmallCnn and ResNet-56); for the paper's force the paper uses 1e-11 for ResNet-56 and 1e-12 for
        /// VGG-19 (larger networks need smaller rates). The folded force on every filter is unstable above about 3e-12 at
        /// P1's rate 0.1.
        /// </summary>
        public double ForceRate { get; set; } = Defaults.ForceRate;

        /// <summary>
        /// First epoch (0-based) whose SGD steps add the penalty; the epochs before it train on cross-entropy alone, like the
        /// paper's pretrained start inside one <c>Fit</c>. In [0, <see cref="Epochs"/>) when <see cref="Regularizer"/> is not
        /// None. Default null: <c>Epochs / 2</c> (rounded down) for <see cref="RegularizerKind.FoldedElectrostaticForce"/>
        /// trained from random weights, whose BatchNorm-folded charges are meaningless and unstable on an untrained network
        /// (first-epoch losses of 400-2,000 measured on SmallCnn); 0 for every other regularizer and for a warm start
        /// (<c>Fit(data, initialModel)</c>: the initial model is the pretrained start).
        /// </summary>
        public int? PenaltyStartEpoch { get; set; }

        /// <summary>
        /// For <see cref="RegularizerKind.FoldedElectrostaticForce"/>: true to let the force act only on the filters that
        /// <see cref="PruningPlan"/> removes, i.e. in each layer the <c>min(ceil(ratio * N), N - 1)</c> filters the plan's
        /// ranking puts last (BatchNorm-folded or raw L1 norm), chosen afresh at every step (GReg's idea of penalising only
        /// the filters to prune); false for
        /// the force on every filter of the layer. Default true: on every filter the force kept killing channels past the
        /// plan's ratio and, at P1's rate 0.1, collapsed one of two SmallCnn seeds (72% accuracy, 54 of 96 channels dead).
        /// </summary>
        public bool TargetPrunedFilters { get; set; } = Defaults.TargetPrunedFilters;

        /// <summary>Coulomb constant <c>k_e</c> of <c>F_e = k_e |q_1| |q_n| / r^2</c>, finite and greater than 0. Default 8.99e9.</summary>
        public double CoulombConstant { get; set; } = Defaults.CoulombConstant;

        /// <summary>
        /// Gradient of the penalty: <see cref="ForceGradientMode.Paper"/> (Eq. 10, <c>alpha_e k_e |q_1| / r^2 * w</c>) or
        /// <see cref="ForceGradientMode.Exact"/> (autograd of Eq. 7). Default Paper.
        /// </summary>
        public ForceGradientMode GradientMode { get; set; } = Defaults.GradientMode;

        /// <summary>Rate of the L1 baseline penalty <c>rate * sum |w|</c>, finite and at least 0; used when <see cref="Regularizer"/> is L1. Default 1e-2.</summary>
        public double L1Rate { get; set; } = Defaults.L1Rate;

        /// <summary>
        /// Rate of the network slimming baseline <c>rate * sum |gamma|</c> over the BatchNorm scales of the layers to prune,
        /// finite and at least 0; used when <see cref="Regularizer"/> is NetworkSlimming. Default 1e-4 (Liu et al. 2017 use
        /// 1e-4 for VGG and 1e-5 for ResNets).
        /// </summary>
        public double SlimmingRate { get; set; } = Defaults.SlimmingRate;

        /// <summary>
        /// Which filters to remove after training, and on which layers the penalty acts: a uniform ratio, a ResNet per-stage list
        /// or a layer map, ratios in [0, 1) (see <see cref="ElectrostaticPruning.PruningPlan"/>). Default
        /// <c>PruningPlan.Parse("0.5 rank folded compensate")</c>: filters ranked by their BatchNorm-folded L1 norm and the removed
        /// channels' expected output compensated, which keeps far more accuracy without fine-tuning than the paper's pruning
        /// (<c>"0.5"</c>: raw-L1 ranking, no compensation) on BatchNorm networks.
        /// Set <see cref="PruningPlanText"/> to give it as text.
        /// </summary>
        public PruningPlan PruningPlan { get; set; } = Defaults.PruningPlan;

        /// <summary>
        /// <see cref="PruningPlan"/> as text, e.g. <c>"0.5"</c>, <c>"[0, 0.52, 0.52, 0.52, 0]"</c> or <c>"[0:0, 1-15:0.65]"</c>,
        /// optionally followed by <c>"skip 1.0,2.0"</c> and then <c>"round 16"</c> (kept filters rounded up to multiples of 16); setting it parses the text (a <see cref="FormatException"/> names the offending token).
        /// </summary>
        public string PruningPlanText
        {
            get => PruningPlan.ToString();
            set => PruningPlan = PruningPlan.Parse(value);
        }

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
        /// A model file to continue training from (warm start), written by <c>mlContext.Model.Save</c>: an
        /// <see cref="ElectrostaticCnnTransformer"/> alone or a chain that contains one (the last one is used). <c>Fit(data)</c>
        /// then loads it with the trainer's environment, trains a copy of its dense network exactly as
        /// <see cref="ElectrostaticCnnTrainer.Fit(IDataView, ElectrostaticCnnTransformer)"/> does, and disposes what it loaded.
        /// The model must match <see cref="Architecture"/>, the image shape and the label's classes. Default null: start from
        /// randomly initialised weights. A non-null value must not be empty; the file is checked when Fit runs.
        /// </summary>
        public string? InitialModelPath { get; set; }

        /// <summary>Images per forward pass when the transformer scores data (Transform, Evaluate), at least 1. Default 256.</summary>
        public int InferenceBatchSize { get; set; } = Defaults.InferenceBatchSize;

        /// <summary>A copy of these options (the trainer keeps its own copy so later changes by the caller do not affect it).</summary>
        internal Options Clone() => (Options)MemberwiseClone();

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

            if (InitialModelPath is not null && string.IsNullOrWhiteSpace(InitialModelPath))
            {
                throw new ArgumentException("InitialModelPath must name a model file; it is empty. Set it to null to start from random weights.", nameof(InitialModelPath));
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
            Regularizer = fineTune ? RegularizerKind.None : Regularizer,
            Alpha = ForceRate,
            CoulombConstant = CoulombConstant,
            GradientMode = GradientMode,
            L1Rate = L1Rate,
            SlimmingRate = SlimmingRate,
            Seed = fineTune ? unchecked(seed + 1) : seed,
            Device = Device,
        };

        private static string TrainingOptionName(string setting) => setting switch
        {
            nameof(TrainingOptions.Schedule) => nameof(LearningRateSchedule),
            nameof(TrainingOptions.Alpha) => nameof(ForceRate),
            _ => setting,
        };

        private static string FineTuneOptionName(string setting) => setting switch
        {
            nameof(TrainingOptions.Epochs) => nameof(FineTuneEpochs),
            nameof(TrainingOptions.Schedule) => nameof(FineTuneSchedule),
            nameof(TrainingOptions.WeightDecay) => nameof(FineTuneWeightDecay),
            _ => TrainingOptionName(setting),
        };

        /// <summary>One line listing the settings, kept in the model summary.</summary>
        /// <summary><see cref="PenaltyStartEpoch"/>, or its default for a run from random weights or (<paramref name="warmStart"/>) from an initial model.</summary>
        internal int ResolvePenaltyStartEpoch(bool warmStart) =>
            PenaltyStartEpoch ?? (Regularizer == RegularizerKind.FoldedElectrostaticForce && !warmStart ? Epochs / 2 : 0);

        internal string Describe(int? batchSize = null, bool warmStart = false) => string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"architecture {Architecture}, epochs {Epochs}, batch {batchSize ?? BatchSize}, lr {LearningRateSchedule}{(WarmupEpochs > 0 ? $" (warm-up {WarmupEpochs})" : string.Empty)}, momentum {Momentum}, weight decay {WeightDecay}, " +
            $"augment {Augment}, regularizer {Regularizer}{RegularizerDetail()}{PenaltyStartDetail(warmStart)}, plan {PruningPlan}, fine-tune {FineTuneEpochs} epochs (lr {FineTuneSchedule}), device {Device}");

        private string PenaltyStartDetail(bool warmStart) =>
            Regularizer != RegularizerKind.None && ResolvePenaltyStartEpoch(warmStart) is int start and > 0
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" from epoch {start} (epochs 0-{start - 1} plain)")
                : string.Empty;

        private string RegularizerDetail() => Regularizer switch
        {
            RegularizerKind.ElectrostaticForce => string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (alpha_e {ForceRate:G3}, k_e {CoulombConstant:G3}, {GradientMode} gradient)"),
            RegularizerKind.L1 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (rate {L1Rate:G3})"),
            RegularizerKind.NetworkSlimming => string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (rate {SlimmingRate:G3})"),
            RegularizerKind.FoldedElectrostaticForce => string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (alpha_e {ForceRate:G3}, k_e {CoulombConstant:G3}, folded charges{(TargetPrunedFilters ? ", on the filters the plan removes" : string.Empty)})"),
            _ => string.Empty,
        };
    }
}
