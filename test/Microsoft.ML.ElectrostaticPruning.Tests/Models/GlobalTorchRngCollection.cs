namespace Microsoft.ML.ElectrostaticPruning.Tests.Models;

/// <summary>Tests that need torch's global RNG to themselves; xunit runs this collection after the parallel ones, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRngCollection
{
    public const string Name = "Global torch RNG";
}
