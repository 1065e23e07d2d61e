namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>The checks that the trainer's and the fine-tuning options share; each exception names the option and its valid range.</summary>
internal static class OptionChecks
{
    /// <summary>A column name must not be empty.</summary>
    public static void RequireName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{option} must name a column; it is empty.", option);
        }
    }

    /// <summary>A count such as epochs or a batch size must be at least 1.</summary>
    public static void RequirePositive(int value, string option)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be at least 1.");
        }
    }

    /// <summary>A rate or decay must be finite and at least 0.</summary>
    public static void RequireNonNegative(double value, string option, string hint)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be finite and at least 0 ({hint}).");
        }
    }

    /// <summary>SGD momentum must be in [0, 1).</summary>
    public static void RequireMomentum(double value, string option)
    {
        if (!double.IsFinite(value) || value < 0 || value >= 1)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be in [0, 1) (the paper uses 0.9).");
        }
    }

    /// <summary>The device must be a defined <see cref="TrainingDevice"/>.</summary>
    public static void RequireDevice(TrainingDevice value, string option)
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be Auto, Cpu or Cuda.");
        }
    }
}
