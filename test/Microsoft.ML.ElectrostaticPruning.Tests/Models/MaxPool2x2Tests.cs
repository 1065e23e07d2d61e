using Microsoft.ML.ElectrostaticPruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Models;

public sealed class MaxPool2x2Tests
{
    [Theory]
    [InlineData(22, 8, 8, true)]
    [InlineData(3, 6, 4, true)]
    [InlineData(5, 8, 8, false)]
    [InlineData(4, 7, 5, true)]
    public void PoolsExactlyLikeMaxPool2dInEveryLayout(int channels, int height, int width, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        var input = randn([2, channels, height, width], generator: generator);
        if (channelsLast)
        {
            input = ChannelsLast.From(input);
        }

        using var pool = new MaxPool2x2();
        var actual = pool.call(input);
        var expected = nn.functional.max_pool2d(input, 2);

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.equal(expected).all().item<bool>());
    }

    [Fact]
    public void RecognisesChannelsLastStridesIgnoringSizeOneDimensions()
    {
        using var scope = NewDisposeScope();

        Assert.True(ChannelsLast.Is(ChannelsLast.From(zeros(2, 3, 4, 5))));
        Assert.False(ChannelsLast.Is(zeros(2, 3, 4, 5)));
        Assert.True(ChannelsLast.Is(zeros(8, 16, 1, 1)));
        Assert.True(ChannelsLast.Is(zeros(2, 1, 4, 4)));
        Assert.False(ChannelsLast.Is(zeros(2, 3, 4)));
        Assert.Equal([60L, 1L, 15L, 3L], ChannelsLast.From(zeros(2, 3, 4, 5)).stride());
    }

    [Fact]
    public void KeepsAChannelsLastInputChannelsLast()
    {
        using var scope = NewDisposeScope();
        var input = ChannelsLast.From(arange(2 * 3 * 4 * 4, dtype: ScalarType.Float32).reshape(2, 3, 4, 4));

        var pooled = new MaxPool2x2().call(input);

        Assert.True(ChannelsLast.Is(input));
        Assert.True(ChannelsLast.Is(pooled));

        // Image 0, channel 0 is 0..15 row by row: the 2x2 maxima are 5, 7, 13, 15.
        Assert.Equal([5f, 7f, 13f, 15f], pooled[0, 0].flatten().data<float>().ToArray());
    }
}
