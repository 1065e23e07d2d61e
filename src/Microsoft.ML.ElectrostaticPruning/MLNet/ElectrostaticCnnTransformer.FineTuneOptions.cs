namespace Microsoft.ML.ElectrostaticPruning;

public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>
    /// Settings of <see cref="FineTune(IDataView, FineTuneOptions?)"/>. The defaults are the paper's Table 1 "ft" stage
    /// (SGD with momentum 0.9 and weight decay 5e-4, the P2 schedule 0: 1e-2, 60: 1e-3, 90: 1e-4, batch 128, plain
    /// cross-entropy), run for a short CPU-scale number of epochs.
    /// </summary>
    public sealed class FineTuneOptions
    {
        /// <summary>Label column: a key of the classes the model was trained on. Default "Label".</summary>
        public string LabelColumnName { get; set; } = ElectrostaticCnnTrainer.Defaults.LabelColumnName;

        /// <summary>Feature column: the same C x H x W Single vector the model scores. Default "Features".</summary>
        public string FeatureColumnName { get; set; } = ElectrostaticCnnTrainer.Defaults.FeatureColumnName;

        /// <summary>Passes over the data, at least 1. Default 2 (the paper fine-tunes CIFAR models for 120 epochs on GPUs).</summary>
        public int Epochs { get; set; } = ElectrostaticCnnTrainer.Defaults.FineTuneCallEpochs;

        /// <summary>Images per SGD step, at least 1; capped at the number of rows. Default 128.</summary>
        public int BatchSize { get; set; } = ElectrostaticCnnTrainer.Defaults.BatchSize;

        /// <summary>Learning rate per epoch. Default <see cref="LearningRateSchedule.P2"/> (0: 1e-2, 60: 1e-3, 90: 1e-4).</summary>
        public LearningRateSchedule LearningRateSchedule { get; set; } = ElectrostaticCnnTrainer.Defaults.FineTuneLearningRateSchedule;

        /// <summary>SGD momentum in [0, 1). Default 0.9.</summary>
        public double Momentum { get; set; } = ElectrostaticCnnTrainer.Defaults.Momentum;

        /// <summary>L2 weight decay, finite and at least 0. Default 5e-4.</summary>
        public double WeightDecay { get; set; } = ElectrostaticCnnTrainer.Defaults.FineTuneWeightDecay;

        /// <summary>CIFAR-style augmentation (4-pixel pad, random crop, horizontal flip). Default false.</summary>
        public bool Augment { get; set; }

        /// <summary>Seed of shuffling and augmentation; null uses the ML.NET context's random source. Default null.</summary>
        public int? Seed { get; set; }

        /// <summary>Where to train. Default <see cref="TrainingDevice.Auto"/> (CUDA when available).</summary>
        public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

        /// <summary>Optional data evaluated after every epoch (same columns and classes). Default null.</summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>Called after every epoch with its metrics, on the training thread. Default null.</summary>
        public Action<EpochMetrics>? ProgressCallback { get; set; }

        /// <summary>Checked before every step. Default none.</summary>
        public CancellationToken CancellationToken { get; set; }

        internal FineTuneOptions Clone() => (FineTuneOptions)MemberwiseClone();

        /// <summary>Checks every option; the exception names the option, the value and the valid range.</summary>
        internal void Validate()
        {
            OptionChecks.RequireName(LabelColumnName, nameof(LabelColumnName));
            OptionChecks.RequireName(FeatureColumnName, nameof(FeatureColumnName));
            ToTrainingOptions(seed: 0, rows: int.MaxValue).Validate(setting => setting == nameof(TrainingOptions.Schedule) ? nameof(LearningRateSchedule) : setting);
        }

        /// <summary>The run these options describe on <paramref name="rows"/> images: plain cross-entropy, the batch capped at the rows.</summary>
        internal TrainingOptions ToTrainingOptions(int seed, int rows) => new()
        {
            Epochs = Epochs,
            BatchSize = Math.Min(BatchSize, rows),
            Schedule = LearningRateSchedule,
            Momentum = Momentum,
            WeightDecay = WeightDecay,
            Augment = Augment,
            Seed = seed,
            Device = Device,
        };
    }
}
