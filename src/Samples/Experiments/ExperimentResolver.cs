using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>Applies <c>experiment</c>'s command-line overrides (for CPU-scale runs) to a preset.</summary>
internal static class ExperimentResolver
{
    /// <summary>Coulomb constant used by the paper (k_e in N m^2 C^-2).</summary>
    public const double PaperCoulombConstant = 8.99e9;

    /// <summary>The preset with every option the user gave applied on top of it.</summary>
    /// <exception cref="ArgumentException">An option that cannot apply to a preset (its network is fixed).</exception>
    public static ResolvedExperiment Resolve(ExperimentPreset preset, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Architecture is not null && LibraryOptions.ParseArchitecture(settings.Architecture) != preset.Architecture)
        {
            throw new ArgumentException(
                $"--architecture cannot change preset '{preset.Name}', which is defined for {preset.Architecture}; use 'train' for other networks.",
                nameof(settings));
        }

        var overridden = new List<string>();
        var training = preset.Training;
        if (settings.Epochs is { } epochs)
        {
            training = training with { Epochs = epochs };
            overridden.Add("--epochs");
        }

        if (settings.BatchSize is { } batch)
        {
            training = training with { BatchSize = batch };
            overridden.Add("--batch-size");
        }

        if (settings.LearningRate is { } schedule)
        {
            training = training with { Schedule = schedule };
            overridden.Add("--lr");
        }

        if (settings.Momentum is { } momentum)
        {
            training = training with { Momentum = momentum };
            overridden.Add("--momentum");
        }

        if (settings.WeightDecay is { } decay)
        {
            training = training with { WeightDecay = decay };
            overridden.Add("--weight-decay");
        }

        if (settings.Augment is { } augment)
        {
            training = training with { Augment = augment };
            overridden.Add("--augment");
        }

        var fineTuning = preset.FineTuning;
        if (settings.FinetuneEpochs is { } fineEpochs)
        {
            fineTuning = fineEpochs == 0 ? null : (fineTuning ?? preset.Training with { WeightDecay = 5e-4, Schedule = "P2" }) with { Epochs = fineEpochs };
            overridden.Add("--finetune-epochs");
        }

        if (fineTuning is not null && settings.BatchSize is { } fineBatch)
        {
            fineTuning = fineTuning with { BatchSize = fineBatch };
        }

        var plans = preset.Plans;
        if (settings.Plan is { } plan)
        {
            plans = [new PresetPlan(plan, settings.Skip, null)];
            overridden.Add("--plan");
        }

        var regularizer = settings.Regularizer is null ? RegularizerKind.ElectrostaticForce : LibraryOptions.ParseRegularizer(settings.Regularizer);
        AddIf(overridden, settings.Regularizer, "--regularizer");
        AddIf(overridden, settings.Alpha, "--alpha");
        AddIf(overridden, settings.CoulombConstant, "--ke");
        AddIf(overridden, settings.GradientMode, "--gradient-mode");

        return new ResolvedExperiment(
            preset,
            training,
            fineTuning,
            regularizer,
            settings.Alpha ?? preset.Alpha,
            settings.CoulombConstant ?? PaperCoulombConstant,
            settings.GradientMode is null ? ForceGradientMode.Paper : LibraryOptions.ParseGradientMode(settings.GradientMode),
            plans,
            overridden);
    }

    private static void AddIf(List<string> overridden, object? value, string option)
    {
        if (value is not null)
        {
            overridden.Add(option);
        }
    }
}
