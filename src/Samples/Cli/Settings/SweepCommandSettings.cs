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

    /// <summary>Ratios to prune at.</summary>
    [CommandOption("--ratios <LIST>")]
    [Description("Pruning ratios: '0,0.1,0.5' or a range 'start:stop:step' (stop included).")]
    [DefaultValue(OptionParsing.DefaultRatios)]
    public string Ratios { get; set; } = OptionParsing.DefaultRatios;

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        if (Models.Length == 0)
        {
            return ValidationResult.Error("--model is required (repeat it to compare several models).");
        }

        try
        {
            var labels = new HashSet<string>(StringComparer.Ordinal);
            foreach (var model in Models)
            {
                var (label, path) = OptionParsing.ParseLabeledPath(model);
                if (!File.Exists(path))
                {
                    return ValidationResult.Error($"--model file '{path}' does not exist.");
                }

                if (!labels.Add(label))
                {
                    return ValidationResult.Error($"--model label '{label}' is used twice; label them as label=path.");
                }
            }

            OptionParsing.ParseRatios(Ratios);
        }
        catch (FormatException e)
        {
            return ValidationResult.Error(e.Message);
        }

        return ValidationResult.Success();
    }
}
