namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>Where <see cref="NetworkTrainer"/> keeps one phase's progress: restored before the first epoch, saved after each.</summary>
internal interface ICheckpointSlot
{
    /// <summary>
    /// Loads the saved weights and momentum into <paramref name="network"/> and <paramref name="optimizer"/> and returns the
    /// epochs done (none when nothing was saved) and the filter order the last of them trained over (null for none).
    /// </summary>
    (TrainingHistory History, FilterOrder? Order) Restore(CnnNetwork network, MomentumSgd optimizer);

    /// <summary>Saves the state after an epoch, with the filter order its sub-networks trained over (null for none).</summary>
    void Save(CnnNetwork network, MomentumSgd optimizer, TrainingHistory history, FilterOrder? order);
}
