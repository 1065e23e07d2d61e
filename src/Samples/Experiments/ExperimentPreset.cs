using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Experiments;

/// <summary>
/// A named experiment of the paper: the methods trained (from random weights, or warm-started from a plain pretrained
/// network), the Table 2 plans each trained model is pruned by and fine-tuned at, and the Figure 2 sweep.
/// </summary>
/// <param name="Name">Command-line name, e.g. "resnet56-cifar10".</param>
/// <param name="Title">Human-readable title, e.g. "ResNet-56 on CIFAR-10".</param>
/// <param name="Architecture">Network.</param>
/// <param name="InputShape">Image shape the network is built for (image folders are read at it).</param>
/// <param name="ClassCount">Number of classes.</param>
/// <param name="DataHint">What <c>--data</c> should point at.</param>
/// <param name="Training">Training stage ("pr"); with <see cref="PretrainEpochs"/> also the plain pretraining's optimizer.</param>
/// <param name="FineTuning">Fine-tuning stage after pruning by each plan ("ft"), or <see langword="null"/> when the paper has none.</param>
/// <param name="Methods">The models trained, as a <c>--methods</c> list (e.g. "electrostatic:1e-16").</param>
/// <param name="Plans">Table 2's plans; the first one is also the training plan. Empty for a Figure 2 study.</param>
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
    string Methods,
    IReadOnlyList<PresetPlan> Plans,
    string Notes)
{
    /// <summary>The data folder used without <c>--data</c>, relative to the repository root or absolute; null when <c>--data</c> is required.</summary>
    public string? DefaultData { get; init; }

    /// <summary>Epochs of plain pretraining every method continues from (warm start); 0 trains every method from random weights.</summary>
    public int PretrainEpochs { get; init; }

    /// <summary>Seeds per run, counted from <c>--seed</c>; each seed pretrains once and trains every method.</summary>
    public int SeedCount { get; init; } = 1;

    /// <summary>How the sweep prunes each model, comma-separated: l1 (the paper's raw-L1 ranking), folded, folded+comp.</summary>
    public string Variants { get; init; } = "l1";

    /// <summary>Training images used (the first N), or null for all.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Test images used (the first N), or null for all.</summary>
    public int? TestLimit { get; init; }

    /// <summary>A Figure 2 study: no Table 2 plans, the sweep always runs (otherwise only with <c>--compare</c>).</summary>
    public bool IsStudy => Plans.Count == 0;
}
