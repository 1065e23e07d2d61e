using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning;
using TorchSharp;
using static TorchSharp.torch;

namespace ElectrostaticPruning.Samples.Examples;

/// <summary>
/// The paper's electrostatic-force penalty in a plain TorchSharp training loop, without the ML.NET trainer:
/// <c>loss = cross_entropy + penalty.Compute(convWeights)</c>, then <c>backward()</c> and an SGD step.
/// </summary>
public static class PenaltyInTorchSharpLoop
{
    /// <summary>Trains a two-conv network on Fashion-MNIST images with the penalty; returns the mean cross-entropy of the first and last epochs and the last epoch's mean penalty.</summary>
    /// <param name="dataFolder">A folder with train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz (the repository's data/fashion-mnist).</param>
    public static (double FirstLoss, double LastLoss, double LastPenalty) Example(string dataFolder)
    {
        // 512 images as tensors: pixels [N, 1, 28, 28] in [0, 1], labels 0..9 (ML.NET keys are 1-based).
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.TakeRows(
            mlContext.Data.LoadFromIdxFiles(Path.Combine(dataFolder, "train-images-idx3-ubyte.gz"), Path.Combine(dataFolder, "train-labels-idx1-ubyte.gz")), 512);
        float[] pixels = [.. data.GetColumn<float[]>("Features").SelectMany(image => image)];
        long[] labels = [.. data.GetColumn<uint>("Label").Select(key => (long)key - 1)];
        using var images = tensor(pixels, [labels.Length, 1, 28, 28]);
        using var targets = tensor(labels);

        manual_seed(1);
        var conv1 = nn.Conv2d(1, 16, 3, padding: 1);
        var conv2 = nn.Conv2d(16, 32, 3, padding: 1);
        using var network = nn.Sequential(conv1, nn.ReLU(), nn.MaxPool2d(2), conv2, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 10));
        using var optimizer = optim.SGD(network.parameters(), 0.02, momentum: 0.9);
        var penalty = new ElectrostaticPenalty(forceRate: 1e-13);

        var losses = new List<(double CrossEntropy, double Penalty)>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            double crossEntropy = 0, force = 0;
            int steps = 0;
            for (int start = 0; start < labels.Length; start += 64, steps++)
            {
                using var scope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(network.forward(images.narrow(0, start, 64)), targets.narrow(0, start, 64));
                var electrostatic = penalty.Compute([conv1.weight!, conv2.weight!]);
                optimizer.zero_grad();
                (loss + electrostatic).backward();
                optimizer.step();
                crossEntropy += loss.item<float>();
                force += electrostatic.item<float>();
            }

            losses.Add((crossEntropy / steps, force / steps));
            Console.WriteLine($"epoch {epoch + 1}: mean cross-entropy {losses[^1].CrossEntropy:F4}, mean penalty {losses[^1].Penalty:G3} ({penalty})");
        }

        // Per-filter charges and forces: the filters repelled by the source are the ones the force shrinks.
        var statistics = penalty.Statistics(conv2.weight!, "conv2");
        Console.WriteLine($"conv2: source filter {statistics.SourceIndex}, {statistics.RepelledCount} repelled (mean L1 {statistics.MeanL1Norm(FilterRole.Repelled):F2}), {statistics.AttractedCount} attracted (mean L1 {statistics.MeanL1Norm(FilterRole.Attracted):F2})");
        return (losses[0].CrossEntropy, losses[^1].CrossEntropy, losses[^1].Penalty);
    }
}
