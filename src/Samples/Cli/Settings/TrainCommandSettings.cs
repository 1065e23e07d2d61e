using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>train</c>: the trainer's options, where the model goes, a warm start and a checkpoint.</summary>
internal sealed class TrainCommandSettings : TrainingSettings
{
    /// <summary>Where the trained model is saved; default &lt;output&gt;/model.zip.</summary>
    [CommandOption("--save <FILE>")]
    [Description("Where the trained (and pruned) model is saved; default <output>/model.zip.")]
    public string? Save { get; set; }

    /// <summary>A model saved by <c>train</c> to continue training from (warm start); null starts from random weights.</summary>
    [CommandOption("--init <MODEL>")]
    [Description("Continue training from a model saved by 'train' (warm start, Fit(data, initialModel)): its dense network, architecture and classes; --architecture defaults to the model's.")]
    public string? Init { get; set; }

    /// <summary>PyTorch weights to start from (mlContext.Model.LoadPyTorchWeights); null starts from random weights.</summary>
    [CommandOption("--init-weights <FILE>")]
    [Description("Start from PyTorch weights (a torchvision / akamaster / VGG state dict, .pth or .safetensors) of --architecture: LoadPyTorchWeights, then Fit(data, pretrained); another class count replaces the classifier.")]
    public string? InitWeights { get; set; }

    /// <summary>Options.CalibrationImages; null keeps the library's default (2,000).</summary>
    [CommandOption("--calibration-images <N>")]
    [Description("Training images on which the returned pruned network's BatchNorm statistics are re-estimated (CalibrationImages); 0 = data-free (the dense network's statistics); default 2000.")]
    public int? CalibrationImages { get; set; }

    /// <summary>Options.CheckpointPath.</summary>
    [CommandOption("--checkpoint <FILE>")]
    [Description("Checkpoint file (CheckpointPath) written after every epoch; when it exists, training continues after its last epoch (same options and data, else an error says what differs); a completed one returns the model without training.")]
    public string? Checkpoint { get; set; }

    /// <summary>
    /// The trainer's options: the library's defaults (what the simple catalog overload <c>ElectrostaticCnn()</c> trains) with
    /// every flag given applied; the network of the <c>--init</c> model when <c>--architecture</c> is not given.
    /// </summary>
    /// <exception cref="FormatException">A flag's text cannot be parsed.</exception>
    /// <exception cref="ArgumentException">A regularizer flag does not apply to the regularizer.</exception>
    public ElectrostaticCnnTrainer.Options ToOptions(CnnArchitecture? initialArchitecture = null)
    {
        var options = new ElectrostaticCnnTrainer.Options();
        options.Architecture = initialArchitecture ?? options.Architecture;
        ApplyTraining(options);
        options.FineTuneEpochs = FinetuneEpochs ?? options.FineTuneEpochs;
        options.CalibrationImages = CalibrationImages ?? options.CalibrationImages;
        options.CheckpointPath = Checkpoint;
        options.Regularizer = Regularizer is null ? options.Regularizer : Regularizers.Create(Regularizer);
        ApplyKnobs([options.Regularizer]);
        return options;
    }

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(Init is null || File.Exists(Init), $"--init '{Init}' does not exist."),
        Require(InitWeights is null || File.Exists(InitWeights), $"--init-weights '{InitWeights}' does not exist."),
        Require(Init is null || InitWeights is null, "--init and --init-weights both name a model to start from; give one."),
        Parsed(() => CreateTrainer(new MLContext(), ToOptions())));
}
