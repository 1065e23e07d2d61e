using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>A preset after the command line's overrides: exactly what <c>experiment</c> will run.</summary>
/// <param name="Preset">The preset it came from.</param>
/// <param name="Training">Training stage ("pr").</param>
/// <param name="FineTuning">Fine-tuning stage ("ft"), or <see langword="null"/> when there is none (or 0 epochs were asked for).</param>
/// <param name="Regularizer">Regularizer of the training stage.</param>
/// <param name="Alpha">Electrostatic force rate alpha_e.</param>
/// <param name="CoulombConstant">Coulomb constant k_e.</param>
/// <param name="GradientMode">Gradient of the electrostatic penalty.</param>
/// <param name="Plans">Pruning plans to evaluate.</param>
/// <param name="Overridden">Names of the options that changed the preset, for the printed summary.</param>
internal sealed record ResolvedExperiment(
    ExperimentPreset Preset,
    TrainingRecipe Training,
    TrainingRecipe? FineTuning,
    RegularizerKind Regularizer,
    double Alpha,
    double CoulombConstant,
    ForceGradientMode GradientMode,
    IReadOnlyList<PresetPlan> Plans,
    IReadOnlyList<string> Overridden);
