namespace Microsoft.ML.ElectrostaticPruning;

public sealed partial class ElectrostaticCnnTrainer
{
    /// <summary>
    /// Every default of the trainer, the fine-tuning options and the catalog overloads, stated once. Training follows the
    /// paper's Table 1 "pr" stage (SGD(0.9, 0), P1, batch 128), fine-tuning its "ft" stage (SGD(0.9, 5e-4), P2, batch 128).
    /// </summary>
    internal static class Defaults
    {
        public const string LabelColumnName = "Label";
        public const string FeatureColumnName = "Features";
        public const string ScoreColumnName = "Score";
        public const string PredictedLabelColumnName = "PredictedLabel";
        public const CnnArchitecture Architecture = CnnArchitecture.SmallCnn;
        public const int Epochs = 10;
        public const int BatchSize = 128;
        public const double Momentum = 0.9;

        /// <summary>One epoch of linear warm-up: P1's 0.1 from the first step made small networks start with losses of 3-12.</summary>
        public const int WarmupEpochs = 1;
        public const double WeightDecay = 0;
        /// <summary>alpha_e of the paper's force (its ResNet-56 value).</summary>
        public const double ForceRate = 1e-11;

        /// <summary>
        /// alpha_e of the folded force, the default regularizer: 1e-12, measured for the force graded over the any-ratio range
        /// (full Fashion-MNIST, SmallCnn, 2 seeds: 90.13 unpruned and 88.88 at 10.33x, against 89.79 and 89.27 at 1e-11 and
        /// 90.26 and 87.79 at 3e-13; docs/any-ratio.md). The targeted force alone (<c>AnyRatio = null</c>) measured best at 1e-11.
        /// </summary>
        public const double FoldedForceRate = 1e-12;
        public const double PruningRatio = 0.5;
        public const int InferenceBatchSize = 256;

        /// <summary>Training images the returned pruned network's BatchNorm statistics are re-estimated on: 2,000.</summary>
        public const int CalibrationImages = Pruning.BatchNormCalibration.DefaultImages;

        /// <summary>Fine-tuning epochs inside <c>Fit</c>: none unless asked for.</summary>
        public const int FineTuneEpochs = 0;

        /// <summary>
        /// The force on BatchNorm-folded charges at <see cref="FoldedForceRate"/> from half-way, graded over the any-ratio range (<see cref="AnyRatio"/>): each
        /// filter feels it in proportion to its chance of being removed at a ratio drawn from the range (docs/any-ratio.md).
        /// The paper's force on raw weights is <see cref="ElectrostaticForceRegularizer.Options"/>.
        /// </summary>
        public static PruningRegularizer.OptionsBase Regularizer => new FoldedForceRegularizer.Options();

        /// <summary>
        /// Sandwich training over 0.1-0.7 (one sub-network per step, half distillation) from half-way: one Fit prepares every
        /// ratio of the range (docs/any-ratio.md); about 1.7x the cost of a plain epoch in the second half, 1.35x a plain run.
        /// </summary>
        public static AnyRatioTrainingOptions AnyRatio => new();

        /// <summary>
        /// The first epoch of the default force and of the sandwich's sub-networks: half-way (<c>epochs / 2</c>, rounded
        /// down) from random weights, 0 from an initial model (<c>Fit(data, initialModel)</c>: it is the pretrained start).
        /// </summary>
        public static int HalfWayStartEpoch(int epochs, bool warmStart) => warmStart ? 0 : epochs / 2;

        /// <summary>Epochs of an explicit <c>FineTune</c> call.</summary>
        public const int FineTuneCallEpochs = 2;

        public const double FineTuneWeightDecay = 5e-4;

        /// <summary>
        /// P1 scaled to the budget (<see cref="LearningRateSchedule.P1Scaled"/>): the paper's P1, "0:1e-1,100:1e-2,150:1e-3"
        /// of 200 epochs, with its milestones at 1/2 and 3/4 of the epochs trained. Unscaled P1 kept a 10-epoch run at 0.1
        /// throughout (issue 19's new-user trial).
        /// </summary>
        public static LearningRateSchedule LearningRateSchedule => LearningRateSchedule.P1Scaled;

        /// <summary>P2 = "0:1e-2,60:1e-3,90:1e-4", the paper's fine-tuning schedule.</summary>
        public static LearningRateSchedule FineTuneLearningRateSchedule => LearningRateSchedule.P2;

        /// <summary>
        /// The paper's sweep at 0.5 (half of every prunable conv; VGG's first conv kept whole, as in the paper and in the
        /// sub-networks any-ratio training trains), ranked by the BatchNorm-folded norm, removed channels compensated: the
        /// pruning that measured best without fine-tuning with BatchNorm (README, "Pruning without fine-tuning").
        /// <c>PruningPlan.Parse("sweep 0.5")</c> is the paper's pruning (raw-L1 ranking, no compensation).
        /// </summary>
        public static PruningPlan PruningPlan => PruningPlan.PaperSweep(PruningRatio).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation();
    }
}
