namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>Where <see cref="NetworkTrainer"/> keeps one phase's progress: restored before the first epoch, saved after each.</summary>
internal interface ICheckpointSlot
{
    /// <summary>Loads the saved weights and momentum into <paramref name="network"/> and <paramref name="optimizer"/> and returns the epochs done (none when nothing was saved).</summary>
    TrainingHistory Restore(CnnNetwork network, MomentumSgd optimizer);

    /// <summary>Saves the state after an epoch.</summary>
    void Save(CnnNetwork network, MomentumSgd optimizer, TrainingHistory history);
}
