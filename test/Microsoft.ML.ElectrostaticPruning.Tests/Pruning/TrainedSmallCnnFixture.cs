using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Regularization;
using Microsoft.ML.ElectrostaticPruning.Tests.Training;
using Microsoft.ML.ElectrostaticPruning.Training;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Pruning;

/// <summary>A SmallCnn trained once (1 epoch, 3,000 embedded Fashion-MNIST images) and shared by the sweep and fine-tuning tests.</summary>
public sealed class TrainedSmallCnnFixture : IDisposable
{
    public TrainedSmallCnnFixture()
    {
        Train = TestData.FashionMnist(train: true, count: 3000);
        Test = TestData.FashionMnist(train: false, count: 1000);
        torch.manual_seed(3);
        Network = CnnZoo.Create(CnnArchitecture.SmallCnn, Train.Shape, Train.ClassCount);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 64, Schedule = LearningRateSchedule.Constant(0.05), Regularizer = RegularizerKind.None, Seed = 3 };
        new NetworkTrainer().Train(Network, [], Train, null, options);
        Network.eval();
        DenseAccuracy = NetworkTrainer.Evaluate(Network, Test, 256, torch.CPU);
    }

    internal ImageDataset Train { get; }

    internal ImageDataset Test { get; }

    internal CnnNetwork Network { get; }

    internal double DenseAccuracy { get; }

    public void Dispose() => Network.Dispose();
}
