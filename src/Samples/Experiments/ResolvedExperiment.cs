using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>A preset after the command line's overrides: exactly what <c>experiment</c> will run.</summary>
/// <param name="Preset">The preset it came from.</param>
/// <param name="Training">Training stage ("pr").</param>
/// <param name="FineTuning">Fine-tuning stage ("ft"), or <see langword="null"/> when there is none (or 0 epochs were asked for).</param>
/// <param name="PretrainEpochs">Epochs of plain pretraining the methods continue from; 0 for none.</param>
/// <param name="Methods">The regularizer of each model trained (null: plain), in order; the last one's model is pruned by the plans.</param>
/// <param name="Plans">Pruning plans to evaluate (the first is the training plan); empty for a Figure 2 study.</param>
/// <param name="Seeds">Training seeds; each trains every method.</param>
/// <param name="Ratios">Ratios of the sweep, or empty when there is none.</param>
/// <param name="Variants">How the sweep prunes each model (with <c>--calibrate</c>, each also with recalibration).</param>
/// <param name="Device">Training device.</param>
/// <param name="Overridden">The options that changed the preset, for the printed summary.</param>
internal sealed record ResolvedExperiment(
    ExperimentPreset Preset,
    TrainingRecipe Training,
    TrainingRecipe? FineTuning,
    int PretrainEpochs,
    IReadOnlyList<PruningRegularizer.OptionsBase?> Methods,
    IReadOnlyList<PresetPlan> Plans,
    IReadOnlyList<int> Seeds,
    IReadOnlyList<double> Ratios,
    IReadOnlyList<PruneVariant> Variants,
    TrainingDevice Device,
    IReadOnlyList<string> Overridden,
    AnyRatioTrainingOptions? AnyRatio = null)
{
    /// <summary>The plan every model is trained for: the first Table 2 plan, or the paper's sweep at 0.5.</summary>
    public PruningPlan TrainingPlan => Plans.Count > 0 ? OptionParsing.ParsePlan(Plans[0].Plan) : PruningPlan.PaperSweep(Preset.Architecture, 0.5);

    /// <summary>
    /// The preset with every option the user gave applied on top of it: the training flags override Table 1's settings,
    /// <c>--methods</c> (or <c>--regularizer</c>, one model of that kind) replaces the methods, <c>--compare</c> adds the plain
    /// and L1-norm baselines, and the regularizer flags set every method of a kind that has them.
    /// </summary>
    /// <exception cref="ArgumentException">An option that cannot apply to the preset (its network is fixed), or a regularizer flag no method has.</exception>
    /// <exception cref="FormatException">An option's text cannot be parsed.</exception>
    public static ResolvedExperiment Resolve(ExperimentPreset preset, ExperimentCommandSettings settings)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Architecture is not null && OptionParsing.ParseArchitecture(settings.Architecture) != preset.Architecture)
        {
            throw new ArgumentException(
                $"--architecture cannot change preset '{preset.Name}', which is defined for {preset.Architecture}; use 'train' for other networks.", "--architecture");
        }

        var training = preset.Training with
        {
            Epochs = settings.Epochs ?? preset.Training.Epochs,
            BatchSize = settings.BatchSize ?? preset.Training.BatchSize,
            Schedule = settings.LearningRate is null ? preset.Training.Schedule : OptionParsing.ParseSchedule(settings.LearningRate).ToString(),
            Momentum = settings.Momentum ?? preset.Training.Momentum,
            WeightDecay = settings.WeightDecay ?? preset.Training.WeightDecay,
            Augment = settings.Augment ?? preset.Training.Augment,
        };
        var fineTuning = settings.FinetuneEpochs switch
        {
            0 => null,
            { } epochs => (preset.FineTuning ?? preset.Training with { WeightDecay = 5e-4, Schedule = "P2" }) with { Epochs = epochs },
            null => preset.FineTuning,
        };
        fineTuning = fineTuning is null || settings.BatchSize is null ? fineTuning : fineTuning with { BatchSize = settings.BatchSize.Value };

        List<PruningRegularizer.OptionsBase?> methods = settings.Methods is not null ? [.. Regularizers.ParseMethods(settings.Methods)]
            : settings.Regularizer is not null ? [Regularizers.Create(settings.Regularizer)]
            : [.. Regularizers.ParseMethods(preset.Methods)];
        if (settings.Compare)
        {
            methods.InsertRange(0, new PruningRegularizer.OptionsBase?[] { null, new L1Regularizer.Options() }.Where(b => !methods.Any(m => Regularizers.KindOf(m) == Regularizers.KindOf(b))));
        }

        settings.ApplyKnobs(methods);
        var seeds = settings.Seeds is null ? [.. Enumerable.Range(settings.Seed, preset.SeedCount)] : OptionParsing.ParseSeeds(settings.Seeds);
        bool sweeps = preset.IsStudy || settings.Compare;
        (string Flag, object? Value)[] studyFlags = [("--methods", settings.Methods), ("--seeds", settings.Seeds), ("--pretrain-epochs", settings.PretrainEpochs), ("--calibrate", settings.Calibrate ? true : null)];
        var variants = PruneVariant.ParseList(preset.Variants);
        return new ResolvedExperiment(
            preset,
            training,
            fineTuning,
            settings.PretrainEpochs ?? preset.PretrainEpochs,
            methods,
            settings.Plan is null ? preset.Plans : [new PresetPlan(settings.Plan, null)],
            seeds,
            sweeps ? OptionParsing.ParseRatios(settings.Ratios) : [],
            settings.Calibrate ? [.. variants, .. variants.Select(v => v.WithRecalibration())] : variants,
            OptionParsing.ParseDevice(settings.Device),
            [.. settings.GivenFlags(), .. studyFlags.Where(f => f.Value is not null).Select(f => f.Flag)],
            settings.ParsedAnyRatio(null));
    }

    /// <summary>The trainer's options of one model: <paramref name="regularizer"/> trained with <paramref name="seed"/>, for <see cref="TrainingPlan"/>.</summary>
    /// <remarks>
    /// The presets are the paper's protocols, one method per model: no any-ratio training unless <c>--any-ratio</c> asks for
    /// it, and then only for the folded-force methods (the library's default method); plain, L1, slimming and the paper's
    /// force train as their papers do, so one run compares the default with the baselines from one pretraining (as
    /// <c>compare --any-ratio</c> does).
    /// </remarks>
    public ElectrostaticCnnTrainer.Options Options(PruningRegularizer.OptionsBase? regularizer, int seed) =>
        Options(regularizer, seed, Training.Epochs, regularizer is FoldedForceRegularizer.Options ? AnyRatio : null);

    /// <summary>The options of the plain pretraining every method continues from (the full network alone).</summary>
    public ElectrostaticCnnTrainer.Options PretrainingOptions(int seed) => Options(null, seed, PretrainEpochs, anyRatio: null);

    /// <summary>The fine-tuning options of <see cref="FineTuning"/>, or null when there is no fine-tuning stage.</summary>
    public ElectrostaticCnnTransformer.FineTuneOptions? FineTuneOptions(int seed) => FineTuning is not { } recipe ? null : new()
    {
        Epochs = recipe.Epochs,
        BatchSize = recipe.BatchSize,
        LearningRateSchedule = recipe.ScheduleFor(recipe.Epochs),
        Momentum = recipe.Momentum,
        WeightDecay = recipe.WeightDecay,
        Augment = recipe.Augment,
        Seed = seed,
        Device = Device,
    };

    private ElectrostaticCnnTrainer.Options Options(PruningRegularizer.OptionsBase? regularizer, int seed, int epochs, AnyRatioTrainingOptions? anyRatio) => new()
    {
        AnyRatio = anyRatio,
        Architecture = Preset.Architecture,
        Epochs = epochs,
        BatchSize = Training.BatchSize,
        LearningRateSchedule = Training.ScheduleFor(epochs),
        Momentum = Training.Momentum,
        WeightDecay = Training.WeightDecay,
        Augment = Training.Augment,
        PruningPlan = TrainingPlan,
        Regularizer = regularizer,
        Seed = seed,
        Device = Device,
    };
}
