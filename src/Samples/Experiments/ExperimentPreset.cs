using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>A named reproduction of one of the paper's experiments (Tables 1 and 2).</summary>
/// <param name="Name">Command-line name, e.g. "resnet56-cifar10".</param>
/// <param name="Title">Human-readable title, e.g. "ResNet-56 on CIFAR-10".</param>
/// <param name="Architecture">Network.</param>
/// <param name="InputShape">Image shape the network is built for.</param>
/// <param name="ClassCount">Number of classes.</param>
/// <param name="DataHint">What <c>--data</c> should point at.</param>
/// <param name="Training">Electrostatic-force training stage ("pr").</param>
/// <param name="FineTuning">Fine-tuning stage after pruning ("ft"), or <see langword="null"/> when the paper has none.</param>
/// <param name="Alpha">Electrostatic force rate alpha_e.</param>
/// <param name="Plans">Pruning plans (Table 2 rows, or the Figure 2 sweep).</param>
/// <param name="Notes">Where the settings come from and any assumption made where the paper is silent.</param>
internal sealed record ExperimentPreset(
    string Name,
    string Title,
    CnnArchitecture Architecture,
    ImageShape InputShape,
    int ClassCount,
    string DataHint,
    TrainingRecipe Training,
    TrainingRecipe? FineTuning,
    double Alpha,
    IReadOnlyList<PresetPlan> Plans,
    string Notes);
