namespace ElectrostaticPruning.Samples.Cli;

/// <summary>
/// The library checks every option and names it in its exceptions (e.g. <c>Epochs must be at least 1.</c>); this puts the
/// command-line flag that set the option in front, so the message names both.
/// </summary>
internal static class FlagErrors
{
    /// <summary>Runs <paramref name="call"/>; an <see cref="ArgumentException"/> about an option in <paramref name="flags"/> is rethrown as "--flag: message".</summary>
    /// <param name="call">A library call that checks options.</param>
    /// <param name="flags">Option name (as the library's exceptions give it, e.g. <c>Epochs</c> or <c>L1Regularizer.Options.Rate</c>) to flag.</param>
    public static T Named<T>(Func<T> call, IReadOnlyDictionary<string, string> flags)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return call();
        }
        catch (ArgumentException e) when (FlagOf(e.ParamName, flags) is { } flag)
        {
            throw new ArgumentException($"{flag}: {ErrorReporter.OneLine(e)}", flag, e);
        }
    }

    // "FoldedForceRegularizer.Options.ForceRate" is looked up whole, then as "ForceRate".
    private static string? FlagOf(string? option, IReadOnlyDictionary<string, string> flags) =>
        option is null ? null : flags.GetValueOrDefault(option) ?? flags.GetValueOrDefault(option[(option.LastIndexOf('.') + 1)..]);
}
