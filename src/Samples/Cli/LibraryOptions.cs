using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>
/// Converts option text into the library's types. Every error is a <see cref="FormatException"/> whose message starts
/// with the option name and lists what is accepted.
/// </summary>
internal static class LibraryOptions
{
    /// <summary>Parses a network name; case, dashes and underscores are ignored ("resnet-56" is <see cref="CnnArchitecture.ResNet56"/>).</summary>
    public static CnnArchitecture ParseArchitecture(string text, string option = "--architecture")
    {
        var key = Normalize(text);
        foreach (var architecture in Enum.GetValues<CnnArchitecture>())
        {
            if (Normalize(architecture.ToString()) == key)
            {
                return architecture;
            }
        }

        throw new FormatException($"{option}: unknown network '{text}'; expected one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}.");
    }

    /// <summary>Parses none (or plain), l1, electrostatic (or electrostatic-force).</summary>
    public static RegularizerKind ParseRegularizer(string text, string option = "--regularizer") => Normalize(text) switch
    {
        "none" or "plain" => RegularizerKind.None,
        "l1" or "l1norm" => RegularizerKind.L1,
        "electrostatic" or "electrostaticforce" or "ef" => RegularizerKind.ElectrostaticForce,
        _ => throw new FormatException($"{option}: unknown regularizer '{text}'; expected none, l1 or electrostatic."),
    };

    /// <summary>Parses paper or exact.</summary>
    public static ForceGradientMode ParseGradientMode(string text, string option = "--gradient-mode") => Normalize(text) switch
    {
        "paper" => ForceGradientMode.Paper,
        "exact" => ForceGradientMode.Exact,
        _ => throw new FormatException($"{option}: unknown gradient mode '{text}'; expected paper or exact."),
    };

    /// <summary>Parses auto, cpu or cuda.</summary>
    public static TrainingDevice ParseDevice(string text, string option = "--device") => Normalize(text) switch
    {
        "auto" => TrainingDevice.Auto,
        "cpu" => TrainingDevice.Cpu,
        "cuda" or "gpu" => TrainingDevice.Cuda,
        _ => throw new FormatException($"{option}: unknown device '{text}'; expected auto, cpu or cuda."),
    };

    /// <summary>Parses a pruning plan and applies an optional skip list.</summary>
    public static PruningPlan ParsePlan(string plan, string? skip = null, string option = "--plan")
    {
        PruningPlan parsed;
        try
        {
            parsed = PruningPlan.Parse(plan);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{option}: {e.Message}", e);
        }

        if (string.IsNullOrWhiteSpace(skip))
        {
            return parsed;
        }

        try
        {
            return parsed.WithSkipList(skip);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"--skip: {e.Message}", e);
        }
    }

    /// <summary>Parses P1, P2 or "epoch:rate,...".</summary>
    public static LearningRateSchedule ParseSchedule(string text, string option = "--lr")
    {
        try
        {
            return LearningRateSchedule.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{option}: {e.Message}", e);
        }
    }

    /// <summary>The input the paper uses for a network: 28x28 gray for SmallCnn, 224x224 RGB for ImageNet ResNets, else 32x32 RGB.</summary>
    public static ImageShape DefaultInputShape(CnnArchitecture architecture) => architecture switch
    {
        CnnArchitecture.SmallCnn => new ImageShape(1, 28, 28),
        CnnArchitecture.ResNet18 or CnnArchitecture.ResNet34 or CnnArchitecture.ResNet50 => new ImageShape(3, 224, 224),
        _ => new ImageShape(3, 32, 32),
    };

    /// <summary>The class count the paper uses for a network: 1000 for ImageNet ResNets, else 10.</summary>
    public static int DefaultClassCount(CnnArchitecture architecture) =>
        architecture is CnnArchitecture.ResNet18 or CnnArchitecture.ResNet34 or CnnArchitecture.ResNet50 ? 1000 : 10;

    private static string Normalize(string text) =>
        new string((text ?? string.Empty).Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
}
