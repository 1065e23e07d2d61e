using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

/// <summary>
/// Trains the zoo's SmallCnn (convs 16 and 32 wide) twice on 4000 embedded Fashion-MNIST images for 2 epochs from the same initial weights,
/// once plainly and once with the electrostatic force on both convs, and measures test accuracy on 2000 test images
/// and the mean L1 norm of repelled vs attracted filters of the first conv.
/// </summary>
/// <remarks>
/// alpha_e = 4e-12 (inside the paper's 1e-11 ... 1e-17 range, above its CIFAR value 1e-12) because the run is 2 epochs
/// (125 steps) instead of 200, so the penalty must act faster; the learning rate 0.005 keeps the Eq. 10 step
/// <c>lr alpha_e k_e |q_1| / r^2</c> below the weight scale for most filters. The ratio is measured on the first conv
/// (charges about 1): there the force acts smoothly. In the second conv (charges about 8) a filter whose charge is
/// within about 0.2 of the source's gets a step larger than its weights, overshoots zero and can grow past the source
/// (its norm then explodes because nothing pulls the source back) - a property of the paper's gradient under SGD,
/// not of this implementation, which only guarantees finiteness. Seeds 1-4 gave first-conv ratios 0.20-0.28 with the
/// force vs 0.86-0.97 without, and test accuracy 0.77-0.83 with vs 0.80-0.86 without.
/// </remarks>
[Trait("Category", "Slow")]
public sealed class FashionMnistLearningTests(FashionMnistLearningTests.Runs runs, ITestOutputHelper output) : IClassFixture<FashionMnistLearningTests.Runs>
{
    [Fact]
    public void ShortPlainTrainingReachesTestAccuracyFarAboveChance()
    {
        output.WriteLine($"plain: test accuracy {runs.Plain.Accuracy:P2}, {runs.Plain.Seconds:F1} s");
        Assert.True(runs.Plain.Accuracy > 0.75, $"test accuracy {runs.Plain.Accuracy:P2} (chance is 10%)");
    }

    [Fact]
    public void TrainingWithTheElectrostaticForceStillLearns()
    {
        output.WriteLine($"force: test accuracy {runs.Force.Accuracy:P2}, penalty {runs.Force.History[^1].Penalty:G3}, {runs.Force.Seconds:F1} s");
        Assert.True(runs.Force.Accuracy > 0.70, $"test accuracy {runs.Force.Accuracy:P2} (chance is 10%)");
        Assert.All(runs.Force.History, m => Assert.True(m.Penalty > 0 && double.IsFinite(m.Penalty)));
    }

    [Fact]
    public void TheForceShrinksRepelledFiltersRelativeToAttractedOnes()
    {
        output.WriteLine($"mean L1 repelled / attracted (conv1): initial {runs.InitialRatio:F3}, plain {runs.Plain.Ratio:F3}, force {runs.Force.Ratio:F3}");
        Assert.True(runs.Force.Ratio < 0.5 * runs.Plain.Ratio, $"force {runs.Force.Ratio:F3} vs plain {runs.Plain.Ratio:F3}");
        Assert.True(runs.Force.Ratio < 0.5 * runs.InitialRatio, $"force {runs.Force.Ratio:F3} vs initial {runs.InitialRatio:F3}");
    }

    /// <summary>Both training runs, done once for the three tests.</summary>
    public sealed class Runs
    {
        public Runs()
        {
            var train = TestData.FashionMnist(train: true, 4000);
            var test = TestData.FashionMnist(train: false, 2000);
            using (var initial = Model())
            {
                InitialRatio = RepelledToAttracted(initial);
            }

            Plain = Run(train, test, null);
            Force = Run(train, test, new ElectrostaticForceRegularizer.Options { ForceRate = 4e-12 });
        }

        public double InitialRatio { get; }

        public Outcome Plain { get; }

        public Outcome Force { get; }

        private static Outcome Run(ElectrostaticPruning.Data.ImageDataset train, ElectrostaticPruning.Data.ImageDataset test, PruningRegularizer.OptionsBase? regularizer)
        {
            using var model = Model();
            var options = new TrainingOptions
            {
                Epochs = 2,
                BatchSize = 64,
                Schedule = LearningRateSchedule.Constant(0.005),
                Regularizer = regularizer,
                Seed = 1,
                Device = TrainingDevice.Cpu,
            };
            var started = DateTime.UtcNow;
            var history = new NetworkTrainer().Train(model, TestModels.ConvWeights(model), train, null, options);
            double accuracy = NetworkTrainer.Evaluate(model, test, 500, CPU);
            return new Outcome(accuracy, RepelledToAttracted(model), history, (DateTime.UtcNow - started).TotalSeconds);
        }

        private static CnnNetwork Model() => TestModels.SmallCnn(new ImageShape(1, 28, 28), 10, 16, 32, seed: 1);

        private static double RepelledToAttracted(CnnNetwork model)
        {
            var stats = ElectrostaticForce.Statistics(TestModels.ConvWeights(model)[0]);
            return stats.MeanL1Norm(FilterRole.Repelled) / stats.MeanL1Norm(FilterRole.Attracted);
        }
    }

    public sealed record Outcome(double Accuracy, double Ratio, TrainingHistory History, double Seconds);
}
