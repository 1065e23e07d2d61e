using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options of <c>sweep</c>.</summary>
internal sealed class SweepCommandSettings : DataSettings
{
    /// <summary>Models to sweep, as path or label=path.</summary>
    [CommandOption("-m|--model <FILE>")]
    [Description("A model saved by 'train', optionally labelled as label=path; repeat for several (one line each in the plot).")]
    public string[] Models { get; set; } = [];

    /// <summary>Recalibrate BatchNorm on the training images of --data.</summary>
    [CommandOption("--calibrate")]
    [Description("Re-estimate each pruned network's BatchNorm statistics on 2,000 training images of --data before scoring (Sweep(..., calibrationData)).")]
    public bool Calibrate { get; set; }

    /// <summary>The ratios to prune at.</summary>
    [CommandOption("--ratios <LIST>")]
    [Description("Pruning ratios: '0,0.1,0.5' or a range 'start:stop:step' (stop included).")]
    [DefaultValue(OptionParsing.DefaultRatios)]
    public string Ratios { get; set; } = OptionParsing.DefaultRatios;

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(Models.Length > 0, "--model is required (repeat it to compare several models)."),
        Parsed(() => OptionParsing.ParseRatios(Ratios)),
        Parsed(CheckModels));

    private object? CheckModels()
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (label, path) in Models.Select(m => OptionParsing.ParseLabeledPath(m)))
        {
            if (!File.Exists(path))
            {
                throw new ArgumentException($"--model file '{path}' does not exist.", "--model");
            }

            if (!labels.Add(label))
            {
                throw new ArgumentException($"--model label '{label}' is used twice; label them as label=path.", "--model");
            }
        }

        return null;
    }
}
