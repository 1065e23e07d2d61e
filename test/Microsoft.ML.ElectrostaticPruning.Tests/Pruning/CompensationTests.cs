using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary>Plans with <c>compensate</c> move the expected output of removed channels into their consumers.</summary>
public sealed class CompensationTests
{
    [Theory]
    [InlineData(1.0, 0.0, 0.398942280)]      // E[ReLU(z)] = 1/sqrt(2 pi)
    [InlineData(0.0, 0.5, 0.5)]              // a dead channel outputs ReLU(beta)
    [InlineData(0.0, -0.5, 0.0)]
    [InlineData(-2.0, 1.0, 1.395593)]        // 2 phi(0.5) + Phi(0.5) = 0.704131 + 0.691462, the sign of gamma does not matter
    public void TheExpectedReluOfANormalizedChannelHasTheClosedForm(double gamma, double beta, double expected)
    {
        using var scope = NewDisposeScope();
        var value = FilterPruner.ExpectedRelu(tensor(new[] { gamma }), tensor(new[] { beta })).item<double>();
        Assert.Equal(expected, value, 5);
    }

    [Fact]
    public void RemovingDeadChannelsWithCompensationLeavesTheOutputsUnchanged()
    {
        using var scope = NewDisposeScope();
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.SmallCnn, new ImageShape(1, 28, 28), 10);
        using (no_grad())
        {
            // conv2's first 32 channels are dead (gamma = 0) with a positive shift: each outputs the constant ReLU(0.5).
            var conv2 = dense.GetBatchNorm(dense.GetLayer(1));
            conv2.weight!.narrow(0, 0, 32).zero_();
            conv2.bias!.narrow(0, 0, 32).fill_(0.5);
        }

        manual_seed(3);
        var (withCompensation, without) = ChangeOfOutputs(dense, PruningPlan.Parse("[0:0, 1:0.5] rank folded"), rand(4, 1, 28, 28));

        Assert.True(withCompensation < 1e-4, $"max |compensated - dense| = {withCompensation}");
        Assert.True(without > 1e-2, $"dropping the constant channels changed the outputs by only {without}; the test would be meaningless");
    }

    [Fact]
    public void CompensatingConstantChannelsThroughConvolutionsLeavesOnlyTheBorderEffect()
    {
        // ResNet-20: the removed channels of every block's first conv are constant (gamma = 0, beta = 0.4); their consumer
        // is the block's second conv (3x3, zero padding), pruned too. Compensation is exact away from the borders, so it
        // must remove most of the change that dropping the channels causes.
        using var scope = NewDisposeScope();
        using var dense = TestNetworks.CreateWithRandomBatchNorm(CnnArchitecture.ResNet20, new ImageShape(3, 32, 32), 10);
        var plan = PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0] rank folded");
        using (no_grad())
        {
            foreach (var layer in dense.ConvLayers.Where(l => l.IsPrunable && l.Stage > 0))
            {
                var batchNorm = dense.GetBatchNorm(layer);
                int half = (int)(layer.OutChannels / 2);
                batchNorm.weight!.narrow(0, 0, half).zero_();
                batchNorm.bias!.narrow(0, 0, half).fill_(0.4);
            }
        }

        manual_seed(4);
        var (withCompensation, without) = ChangeOfOutputs(dense, plan, randn(4, 3, 32, 32));

        Assert.True(without > 1e-2, $"dropping the constant channels changed the outputs by only {without}");
        Assert.True(withCompensation < 0.25 * without, $"compensated {withCompensation} vs dropped {without}");
    }

    // Max |output - dense output| of the network pruned by the plan with and without compensation.
    private static (double Compensated, double Dropped) ChangeOfOutputs(CnnNetwork dense, PruningPlan plan, Tensor input)
    {
        using var compensated = FilterPruner.Prune(dense, plan.WithCompensation()).Network;
        using var dropped = FilterPruner.Prune(dense, plan.WithCompensation(false)).Network;
        var original = TestNetworks.Predict(dense, input);
        return ((TestNetworks.Predict(compensated, input) - original).abs().max().item<float>(), (TestNetworks.Predict(dropped, input) - original).abs().max().item<float>());
    }

    [Fact]
    public void CompensationIsPartOfThePlanText()
    {
        var plan = PruningPlan.Parse("[0, 0.5, 0.5, 0.5, 0] rank folded compensate");
        Assert.True(plan.Compensate);
        Assert.Equal(FilterRanking.FoldedL1Norm, plan.Ranking);
        Assert.Equal("[0, 0.5, 0.5, 0.5, 0] rank folded compensate", plan.ToString());
        Assert.Equal(plan, PruningPlan.Parse(plan.ToString()));
        Assert.False(PruningPlan.Uniform(0.5).Compensate);
        Assert.Throws<FormatException>(() => PruningPlan.Parse("0.5 compensate rank folded"));
    }
}
