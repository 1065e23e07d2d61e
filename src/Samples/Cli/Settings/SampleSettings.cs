using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options every command takes: where results go, the seed, the device and the thread count.</summary>
internal class SampleSettings : CommandSettings
{
    /// <summary>Devices accepted by <c>--device</c>.</summary>
    public static readonly IReadOnlyList<string> Devices = ["auto", "cpu", "cuda"];

    /// <summary>Folder for models, plots and tables.</summary>
    [CommandOption("-o|--output <DIR>")]
    [Description("Folder for models, plots and tables (created if missing).")]
    [DefaultValue("out")]
    public string Output { get; set; } = "out";

    /// <summary>Seed of every random choice: weights, shuffling, augmentation.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed for weight initialisation, shuffling and augmentation; the same seed reproduces a CPU run exactly.")]
    [DefaultValue(1)]
    public int Seed { get; set; } = 1;

    /// <summary>auto, cpu or cuda.</summary>
    [CommandOption("--device <DEVICE>")]
    [Description("auto, cpu or cuda (cuda needs the -p:TorchBackend=cuda build and an NVIDIA GPU).")]
    [DefaultValue("auto")]
    public string Device { get; set; } = "auto";

    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default (all cores).</summary>
    [CommandOption("--threads <N>")]
    [Description("libtorch threads; 0 = libtorch's default (one per core).")]
    [DefaultValue(0)]
    public int Threads { get; set; }

    /// <summary>Print stack traces of unexpected errors.</summary>
    [CommandOption("--verbose")]
    [Description("Print stack traces of unexpected errors.")]
    public bool Verbose { get; set; }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Output))
        {
            return ValidationResult.Error("--output must name a folder.");
        }

        if (Seed < 0)
        {
            return ValidationResult.Error($"--seed must be 0 or more (got {Seed}).");
        }

        if (!Devices.Contains(Device, StringComparer.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--device must be one of {string.Join(", ", Devices)} (got '{Device}').");
        }

        if (Threads < 0 || Threads > 1024)
        {
            return ValidationResult.Error($"--threads must be between 0 and 1024 (got {Threads}).");
        }

        return ValidationResult.Success();
    }

    /// <summary>Runs <paramref name="parse"/> and turns its <see cref="FormatException"/> into a validation error.</summary>
    protected static ValidationResult Parsed(Action parse)
    {
        try
        {
            parse();
            return ValidationResult.Success();
        }
        catch (FormatException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }

    /// <summary>The first unsuccessful result, or success.</summary>
    protected static ValidationResult FirstError(params ValidationResult[] results) =>
        results.FirstOrDefault(r => !r.Successful) ?? ValidationResult.Success();

    /// <summary>A path inside <see cref="Output"/>.</summary>
    public string OutputPath(string fileName) => Path.Combine(Output, fileName);
}
