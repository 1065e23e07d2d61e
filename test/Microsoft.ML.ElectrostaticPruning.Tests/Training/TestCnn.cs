using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

/// <summary>
/// Private test fixture: conv(C->w1)-BN-ReLU-pool, conv(w1->w2)-BN-ReLU-pool, linear. Height and width must be
/// multiples of 4.
/// </summary>
internal sealed class TestCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Linear fc;

    public TestCnn(int channels, int height, int width, int classes, int width1 = 16, int width2 = 32)
        : base(nameof(TestCnn))
    {
        conv1 = nn.Conv2d(channels, width1, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(width1);
        conv2 = nn.Conv2d(width1, width2, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(width2);
        fc = nn.Linear(width2 * (height / 4) * (width / 4), classes);
        RegisterComponents();
    }

    /// <summary>The two convolution weights (the layers a regularizer acts on).</summary>
    public IReadOnlyList<Parameter> ConvWeights => [conv1.weight!, conv2.weight!];

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.max_pool2d(nn.functional.relu(bn1.forward(conv1.forward(input))), 2);
        x = nn.functional.max_pool2d(nn.functional.relu(bn2.forward(conv2.forward(x))), 2);
        return fc.forward(x.flatten(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Re-initializes conv and linear weights (and the linear bias) uniformly in +-1/sqrt(fan_in), torch's default
    /// range, from a <see cref="Random"/> seeded with <paramref name="seed"/>: unlike torch's global RNG it cannot be
    /// disturbed by tests running in parallel.
    /// </summary>
    public TestCnn Initialize(int seed)
    {
        var random = new Random(seed);
        using var noGrad = no_grad();
        foreach (var parameter in new[] { conv1.weight!, conv2.weight!, fc.weight!, fc.bias! })
        {
            long fanIn = parameter.dim() == 1 ? fc.weight!.shape[1] : parameter[0].numel();
            double bound = 1 / Math.Sqrt(fanIn);
            var values = new float[parameter.numel()];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(((2 * random.NextDouble()) - 1) * bound);
            }

            parameter.copy_(tensor(values, parameter.shape));
        }

        return this;
    }

    /// <summary>A copy of every parameter and buffer, by name, for exact comparisons.</summary>
    public Dictionary<string, float[]> Snapshot() =>
        state_dict().ToDictionary(p => p.Key, p => p.Value.to(ScalarType.Float32).data<float>().ToArray());

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            conv2.Dispose();
            bn2.Dispose();
            fc.Dispose();
        }

        base.Dispose(disposing);
    }
}
