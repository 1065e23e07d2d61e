using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Jobs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Commands;

/// <summary>The default job (<c>compare</c>): plain vs L1-norm vs electrostatic force, pruned without fine-tuning.</summary>
internal sealed class CompareCommand(IAnsiConsole console) : Command<CompareCommandSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, CompareCommandSettings settings, CancellationToken cancellationToken) =>
        new CompareJob(console).Run(settings, context.Arguments, cancellationToken);
}
