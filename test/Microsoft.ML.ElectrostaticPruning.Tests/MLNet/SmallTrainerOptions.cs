using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Trainer options for fast tests: SmallCnn (the default), 1 epoch, batch 32, constant rate 0.01, seed 3, CPU.</summary>
internal static class SmallTrainerOptions
{
    public static ElectrostaticCnnTrainer.Options Create() => new()
    {
        Epochs = 1,
        BatchSize = 32,
        LearningRateSchedule = LearningRateSchedule.Constant(0.01),
        Seed = 3,
        Device = TrainingDevice.Cpu,
    };
}
