using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Options every command takes: where results go, the seed, the device and the thread count.</summary>
internal class SampleSettings : CommandSettings
{
    /// <summary>Folder for models, plots and tables.</summary>
    [CommandOption("-o|--output <DIR>")]
    [Description("Folder for models, plots and tables (created if missing).")]
    [DefaultValue("out")]
    public string Output { get; set; } = "out";

    /// <summary>Seed of every random choice: weights, shuffling, augmentation (the trainer's Seed).</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of weight initialisation, shuffling and augmentation (the trainer's Seed); the same seed reproduces a CPU run exactly.")]
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
    public override ValidationResult Validate() => FirstError(
        Require(!string.IsNullOrWhiteSpace(Output), "--output must name a folder."),
        Require(Seed >= 0, $"--seed must be 0 or more (got {Seed})."),
        Parsed(() => OptionParsing.ParseDevice(Device)),
        Require(Threads is >= 0 and <= 1024, $"--threads must be between 0 and 1024 (got {Threads})."));

    /// <summary>A path inside <see cref="Output"/>.</summary>
    public string OutputPath(string fileName) => Path.Combine(Output, fileName);

    /// <summary>Success, or <paramref name="message"/> when <paramref name="condition"/> is false.</summary>
    protected static ValidationResult Require(bool condition, string message) =>
        condition ? ValidationResult.Success() : ValidationResult.Error(message);

    /// <summary>Runs <paramref name="parse"/>; its <see cref="FormatException"/> or <see cref="ArgumentException"/> becomes the validation error.</summary>
    protected static ValidationResult Parsed(Func<object?> parse)
    {
        try
        {
            parse();
            return ValidationResult.Success();
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return ValidationResult.Error(ErrorReporter.OneLine(e));
        }
    }

    /// <summary>The first unsuccessful result, or success.</summary>
    protected static ValidationResult FirstError(params ValidationResult[] results) =>
        results.FirstOrDefault(r => !r.Successful) ?? ValidationResult.Success();
}
