using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Study;

/// <summary>
/// The paper's Figure 2 protocol at CPU scale: plain pretraining, then continued training from that checkpoint with each
/// method (warm start), then pruning without fine-tuning at every ratio, with the paper's ranking and the folded one.
/// </summary>
/// <param name="Name">Command-line name, e.g. "figure2-fashion".</param>
/// <param name="Title">Human-readable title.</param>
/// <param name="Architecture">Network.</param>
/// <param name="DataHint">What <c>--data</c> should point at (and the default when the folder exists).</param>
/// <param name="DefaultData">Folder used when <c>--data</c> is not given; null when the preset needs one.</param>
/// <param name="PretrainEpochs">Plain epochs of the pretrained start.</param>
/// <param name="Epochs">Epochs of continued training per method.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Initial rate of P1 scaled to the budget (÷10 at half, ÷100 at three quarters).</param>
/// <param name="Methods">The methods, comma-separated (see <see cref="StudyMethod.Parse"/>).</param>
/// <param name="TrainLimit">Training images used (the first N, a subsample stated in the report), or null for all.</param>
/// <param name="TestLimit">Test images scored at every ratio (the first N), or null for all.</param>
/// <param name="Variants">How each model is pruned, comma-separated: l1 (the paper's raw-L1 ranking), folded, folded+comp.</param>
/// <param name="Notes">Where the settings come from.</param>
internal sealed record Figure2Preset(
    string Name,
    string Title,
    CnnArchitecture Architecture,
    string DataHint,
    string? DefaultData,
    int PretrainEpochs,
    int Epochs,
    int BatchSize,
    double LearningRate,
    string Methods,
    int? TrainLimit,
    int? TestLimit,
    string Variants,
    string Notes);
