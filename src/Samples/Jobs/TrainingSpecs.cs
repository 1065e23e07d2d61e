using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using Microsoft.ML.ElectrostaticPruning;
using TorchSharp;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Resolves <see cref="TrainingSettings"/> against a command's defaults into a <see cref="TrainingSpec"/>.</summary>
internal static class TrainingSpecs
{
    /// <summary>The paper's L1-norm rate.</summary>
    public const double PaperL1Rate = 1e-2;

    /// <summary>The spec the options describe; options left out take the values in <paramref name="defaults"/>.</summary>
    public static TrainingSpec Resolve(TrainingSettings settings, TrainingSpec defaults, ImageShape inputShape, int classCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(defaults);
        var architecture = settings.Architecture is null ? defaults.Architecture : LibraryOptions.ParseArchitecture(settings.Architecture);
        var regularizer = settings.Regularizer is null ? defaults.Regularizer : LibraryOptions.ParseRegularizer(settings.Regularizer);
        var plan = settings.Plan is null
            ? (settings.Architecture is null ? defaults.Plan : DefaultPlan(architecture))
            : LibraryOptions.ParsePlan(settings.Plan, settings.Skip);
        return defaults with
        {
            Method = Methods.NameOf(regularizer),
            Architecture = architecture,
            Epochs = settings.Epochs ?? defaults.Epochs,
            BatchSize = settings.BatchSize ?? defaults.BatchSize,
            Schedule = settings.LearningRate is null ? defaults.Schedule : LibraryOptions.ParseSchedule(settings.LearningRate),
            Momentum = settings.Momentum ?? defaults.Momentum,
            WeightDecay = settings.WeightDecay ?? defaults.WeightDecay,
            Augment = settings.Augment ?? defaults.Augment,
            Regularizer = regularizer,
            Alpha = settings.Alpha ?? defaults.Alpha,
            CoulombConstant = settings.CoulombConstant ?? defaults.CoulombConstant,
            GradientMode = settings.GradientMode is null ? defaults.GradientMode : LibraryOptions.ParseGradientMode(settings.GradientMode),
            L1Rate = settings.L1Rate ?? defaults.L1Rate,
            Plan = plan,
            FineTuneEpochs = settings.FinetuneEpochs ?? defaults.FineTuneEpochs,
            Seed = settings.Seed,
            Device = LibraryOptions.ParseDevice(settings.Device),
        };
    }

    /// <summary>
    /// The plan when the user gives none: half of every prunable conv (for VGG the first conv is kept, as in the paper),
    /// pruned the library's default way (BatchNorm-folded ranking, removed channels compensated). The layers it selects are
    /// the ones regularized; sweeps prune at other ratios the same way. <c>--plan 0.5</c> gives the paper's pruning.
    /// </summary>
    public static PruningPlan DefaultPlan(CnnArchitecture architecture) =>
        PruningPlan.PaperSweep(architecture, 0.5).WithRanking(FilterRanking.FoldedL1Norm).WithCompensation();

    /// <summary>
    /// The learning rate of short CPU runs: 0.02, divided by 10 for the last quarter of the epochs (at least the last one
    /// when there are two or more). P1's 0.1 is too high for the small CNN without warm-up, and P1 only decays at epoch 100.
    /// </summary>
    public static LearningRateSchedule ShortRunSchedule(int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        var decay = Math.Min(epochs - 1, (int)Math.Ceiling(epochs * 0.75));
        return decay < 1
            ? LearningRateSchedule.Constant(0.02)
            : LearningRateSchedule.Parse(FormattableString.Invariant($"0:0.02,{decay}:0.002"));
    }

    /// <summary>Defaults shared by the samples for a network and input: the paper's optimizer, P1 and its rates.</summary>
    public static TrainingSpec Defaults(CnnArchitecture architecture, ImageShape inputShape, int classCount, int epochs, double alpha) => new(
        Methods.Electrostatic,
        architecture,
        epochs,
        BatchSize: 128,
        LearningRateSchedule.P1,
        Momentum: 0.9,
        WeightDecay: 0,
        Augment: false,
        RegularizerKind.ElectrostaticForce,
        alpha,
        Experiments.ExperimentResolver.PaperCoulombConstant,
        ForceGradientMode.Paper,
        PaperL1Rate,
        DefaultPlan(architecture),
        FineTuneEpochs: 0,
        Seed: 1,
        TrainingDevice.Auto);
}
