using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// Everything needed to continue a run after its last completed epoch: model weights and buffers, SGD state
/// (momentum buffers included), completed epochs, the schedule, seed, batch size and the metrics so far.
/// Shuffling and augmentation are re-derived from (seed, epoch), so no RNG state needs saving.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Magic = "Microsoft.ML.ElectrostaticPruning.TrainingCheckpoint";
    private const int FormatVersion = 2;

    /// <summary>Writes the checkpoint atomically: a temporary file in the same folder, then a rename over <paramref name="path"/>.</summary>
    public static void Save(string path, torch.nn.Module model, MomentumSgd optimizer, TrainingOptions options, TrainingHistory history)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(history.Count);
            writer.Write(options.Seed);
            writer.Write(options.BatchSize);
            writer.Write(options.Schedule.ToString());
            foreach (var m in history)
            {
                m.WriteTo(writer);
            }

            model.save(writer);
            writer.Write(optimizer.Parameters.Count);
            for (int i = 0; i < optimizer.Parameters.Count; i++)
            {
                var buffer = optimizer.MomentumBuffer(i);
                writer.Write(buffer is not null);
                buffer?.Save(writer);
            }
        });
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="model"/> and <paramref name="optimizer"/>
    /// and returns the metrics of its completed epochs.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated, or does not fit the model.</exception>
    /// <exception cref="ArgumentException">The checkpoint was written with a different seed, batch size or schedule.</exception>
    public static TrainingHistory Load(string path, torch.nn.Module model, MomentumSgd optimizer, TrainingOptions options)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var history = new TrainingHistory();
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"'{path}' is not a training checkpoint.");
            }

            int version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"Training checkpoint '{path}' has format version {version}; this library reads version {FormatVersion}.");
            }

            int completed = reader.ReadInt32();
            RequireSame(path, nameof(options.Seed), reader.ReadInt32(), options.Seed);
            RequireSame(path, nameof(options.BatchSize), reader.ReadInt32(), options.BatchSize);
            RequireSame(path, nameof(options.Schedule), reader.ReadString(), options.Schedule.ToString());
            for (int i = 0; i < completed; i++)
            {
                history.Add(EpochMetrics.ReadFrom(reader));
            }

            model.load(reader, strict: true);
            int buffers = reader.ReadInt32();
            if (buffers != optimizer.Parameters.Count)
            {
                throw new InvalidDataException($"Training checkpoint '{path}' holds optimizer state for {buffers} parameters; the model has {optimizer.Parameters.Count}.");
            }

            for (int i = 0; i < buffers; i++)
            {
                optimizer.SetMomentumBuffer(i, reader.ReadBoolean() ? TensorExtensionMethods.Load(reader).to(optimizer.Parameters[i].device) : null);
            }
        }
        catch (Exception error) when (error is EndOfStreamException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"Training checkpoint '{path}' is truncated or corrupt: {error.Message}", error);
        }
        catch (ArgumentException error) when (error.ParamName is null)
        {
            // TorchSharp reports state-dict and optimizer mismatches as ArgumentException without a parameter name.
            throw new InvalidDataException($"Training checkpoint '{path}' does not fit this model: {error.Message}", error);
        }

        return history;
    }

    private static void RequireSame<T>(string path, string option, T stored, T current)
    {
        if (!EqualityComparer<T>.Default.Equals(stored, current))
        {
            throw new ArgumentException($"Training checkpoint '{path}' was written with {option} = {stored}; resuming needs the same value, but the options have {current}.", option);
        }
    }
}
