using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli.Settings;

/// <summary>Where the images come from, and how many of them to use.</summary>
internal class DataSettings : SampleSettings
{
    /// <summary>Side of the square images read from image folders when <c>--image-size</c> is not given.</summary>
    public const int DefaultImageSize = 32;

    /// <summary>Data folder: IDX files, CIFAR binaries or one subfolder of images per class.</summary>
    [CommandOption("-d|--data <PATH>")]
    [Description("Data folder: MNIST-style IDX files (train-images-idx3-ubyte[[.gz]], ...), CIFAR-10/100 binaries (data_batch_*.bin / train.bin) or one subfolder of images per class (optionally under train/ and test/).")]
    public string? Data { get; set; }

    /// <summary>Use only the first N training images (0 = all).</summary>
    [CommandOption("--train-limit <N>")]
    [Description("Use only the first N training images; 0 = all.")]
    [DefaultValue(0)]
    public int TrainLimit { get; set; }

    /// <summary>Use only the first N test images (0 = all).</summary>
    [CommandOption("--test-limit <N>")]
    [Description("Use only the first N test images; 0 = all.")]
    [DefaultValue(0)]
    public int TestLimit { get; set; }

    /// <summary>Side of the square images fed to the network, for image folders.</summary>
    [CommandOption("--image-size <N>")]
    [Description("Image folders only: images are resized to N x N pixels; default 32 (an experiment preset's own size, e.g. 224 for ImageNet).")]
    public int? ImageSize { get; set; }

    /// <summary>Read image folders as one channel.</summary>
    [CommandOption("--grayscale")]
    [Description("Image folders only: use one (gray) channel instead of RGB.")]
    public bool Grayscale { get; set; }

    /// <summary>Fraction of an image folder without a test/ split kept aside for testing.</summary>
    [CommandOption("--test-fraction <F>")]
    [Description("Image folders without a test/ subfolder: fraction of the images held out for testing.")]
    [DefaultValue(0.2)]
    public double TestFraction { get; set; } = 0.2;

    /// <summary>Whether <c>--data</c> must be given for this command.</summary>
    protected virtual bool DataRequired => true;

    /// <inheritdoc/>
    public override ValidationResult Validate() => FirstError(
        base.Validate(),
        Require(!DataRequired || !string.IsNullOrWhiteSpace(Data), "--data is required: point it at a folder of IDX files, CIFAR binaries or class subfolders."),
        Require(TrainLimit >= 0, $"--train-limit must be 0 (all) or more (got {TrainLimit})."),
        Require(TestLimit >= 0, $"--test-limit must be 0 (all) or more (got {TestLimit})."),
        Require(ImageSize is null or (>= 8 and <= 1024), $"--image-size must be between 8 and 1024 pixels (got {ImageSize})."),
        Require(TestFraction is > 0 and < 1, $"--test-fraction must be in (0, 1) (got {TestFraction})."));
}
