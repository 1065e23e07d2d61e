using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Runtime;

public sealed class NativeLibraryTests
{
    [Fact]
    public void ARealConvolutionRunsBecauseTheNativeLibraryLoads()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(1, 2, 3, bias: false);
        using (no_grad())
        {
            conv.weight!.fill_(1f);
        }

        var output = conv.forward(ones(1, 1, 4, 4));

        Assert.Equal(new long[] { 1, 2, 2, 2 }, output.shape);
        Assert.Equal(9f, output[0, 1, 1, 1].item<float>());
        Assert.False(cuda.is_available());
    }
}
