using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Models;

/// <summary>
/// A residual block of the zoo's ResNets. The stages keep their blocks in a <c>Sequential</c> for the state-dict names
/// (<c>layer1.0.conv1</c>, as torchvision and akamaster name them) but run them through this type, one by one: a
/// <c>Sequential</c> runs its children through TorchSharp's <c>Module.call</c>, which the build's Scalar-lifetime check
/// cannot follow (build/ScalarLifetimeAnalyzer).
/// </summary>
internal abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Names the block's module (the type name, as TorchSharp does).</summary>
    protected ResidualBlock(string name)
        : base(name)
    {
    }

    /// <summary>Runs <paramref name="blocks"/> one after another on <paramref name="input"/>.</summary>
    public static Tensor Run(IReadOnlyList<ResidualBlock> blocks, Tensor input)
    {
        var x = input;
        foreach (var block in blocks)
        {
            x = block.call(x);
        }

        return x;
    }
}
