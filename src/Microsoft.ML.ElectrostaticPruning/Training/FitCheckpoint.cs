using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// The checkpoint file of one <c>Fit</c> (<c>Options.CheckpointPath</c>): after every epoch of training, the dense network
/// (weights, BatchNorm statistics and counters), the momentum buffers and the metrics of the epochs done; after every
/// epoch of fine-tuning, the same for the pruned network, plus the trained dense network and its metrics; with any-ratio
/// training also the filter order the last epoch trained over (<see cref="FilterOrder"/>), which pruning keeps. The RNG of an
/// epoch (shuffling, augmentation, torch) is a function of (seed, epoch), so the seed in the fingerprint is the RNG state.
/// Written atomically (a temporary file renamed over the old one): a process killed at any moment leaves the previous
/// epoch's checkpoint or the new one, never a torn file.
/// </summary>
/// <remarks>
/// The fingerprint is what the run depends on: every option that changes the weights, the training data (SHA-256 of the
/// pixels and labels) and, for a warm start, the initial weights. A file with another fingerprint is refused; the
/// message says which part differs.
/// </remarks>
internal sealed class FitCheckpoint
{
    private const string Magic = "Microsoft.ML.ElectrostaticPruning.FitCheckpoint";
    private const int FormatVersion = 2; // 2: the training phase's filter order

    private readonly string _path;
    private readonly IReadOnlyList<string> _fingerprint;
    private Stored? _stored;

    private FitCheckpoint(string path, IReadOnlyList<string> fingerprint, Stored? stored)
    {
        _path = path;
        _fingerprint = fingerprint;
        _stored = stored;
    }

    /// <summary>The training phase: restores into and saves from the dense network.</summary>
    public ICheckpointSlot Training => new Slot(this, fineTuning: false);

    /// <summary>The fine-tuning phase: restores into and saves from the pruned network.</summary>
    public ICheckpointSlot FineTuning => new Slot(this, fineTuning: true);

    /// <summary>
    /// The checkpoint at <paramref name="path"/> for a run with <paramref name="fingerprint"/>: what the file holds, or
    /// nothing yet when it does not exist.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or is truncated.</exception>
    /// <exception cref="ArgumentException">The file was written by a run with another fingerprint.</exception>
    public static FitCheckpoint Open(string path, IReadOnlyList<string> fingerprint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new FitCheckpoint(path, fingerprint, File.Exists(path) ? Read(path, fingerprint) : null);
    }

    /// <summary>SHA-256 of pixels and labels, hex: the training data's part of the fingerprint.</summary>
    public static string DataFingerprint(ImageDataset data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Features.AsSpan()));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Labels.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>SHA-256 of a network's state (names, shapes and values), hex: a warm start's initial weights.</summary>
    public static string NetworkFingerprint(CnnNetwork network)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var scope = NewDisposeScope();
        foreach (var (name, value) in network.state_dict())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "[" + string.Join(",", value.shape) + "]"));
            sha.AppendData(value.detach().cpu().contiguous().bytes);
        }

        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private static Stored Read(string path, IReadOnlyList<string> fingerprint)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"Options.CheckpointPath '{path}' is not a training checkpoint; delete it or name another file.");
            }

            int version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"Training checkpoint '{path}' has format version {version}; this library reads version {FormatVersion}. Delete it to train from the start.");
            }

            int parts = reader.ReadInt32();
            var stored = new string[parts];
            for (int i = 0; i < parts; i++)
            {
                stored[i] = reader.ReadString();
            }

            CheckFingerprint(path, stored, fingerprint);
            bool fineTuning = reader.ReadBoolean();
            var training = ReadHistory(reader);
            byte[] dense = reader.ReadBytes(reader.ReadInt32());
            var denseMomentum = ReadMomentum(reader);
            int orderBytes = reader.ReadInt32();
            var order = orderBytes < 0 ? null : FilterOrder.Load(new MemoryStream(reader.ReadBytes(orderBytes)));
            TrainingHistory? fineTuned = null;
            byte[]? pruned = null;
            IReadOnlyList<byte[]?>? prunedMomentum = null;
            if (fineTuning)
            {
                fineTuned = ReadHistory(reader);
                pruned = reader.ReadBytes(reader.ReadInt32());
                prunedMomentum = ReadMomentum(reader);
            }

            return new Stored(training, dense, denseMomentum, order, fineTuned, pruned, prunedMomentum);
        }
        catch (EndOfStreamException error)
        {
            throw new InvalidDataException($"Training checkpoint '{path}' is truncated: {error.Message} Delete it to train from the start.", error);
        }
    }

    private static void CheckFingerprint(string path, string[] stored, IReadOnlyList<string> current)
    {
        if (stored.Length != current.Count)
        {
            throw new ArgumentException($"Training checkpoint '{path}' was written by another version of this library's Fit; delete it to train from the start.", "CheckpointPath");
        }

        for (int i = 0; i < stored.Length; i++)
        {
            if (stored[i] != current[i])
            {
                throw new ArgumentException(
                    $"Training checkpoint '{path}' was written by another run: it has {stored[i]}, this Fit has {current[i]}. Resuming needs the same options and data; delete the file or name another Options.CheckpointPath.",
                    "CheckpointPath");
            }
        }
    }

    private void Write(bool fineTuning, TrainingHistory history, CnnNetwork network, MomentumSgd optimizer, FilterOrder? order)
    {
        var stored = fineTuning
            ? (_stored ?? throw new InvalidOperationException("The fine-tuning phase is saved after the training phase.")) with
            {
                FineTuned = Copy(history),
                Pruned = Serialize(network),
                PrunedMomentum = Momentum(optimizer),
            }
            : new Stored(Copy(history), Serialize(network), Momentum(optimizer), order, null, null, null);
        _stored = stored;
        AtomicFile.Write(_path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(_fingerprint.Count);
            foreach (string part in _fingerprint)
            {
                writer.Write(part);
            }

            writer.Write(fineTuning);
            WriteHistory(writer, stored.Training);
            writer.Write(stored.Dense.Length);
            writer.Write(stored.Dense);
            WriteMomentum(writer, stored.DenseMomentum);
            if (stored.Order is { } trainedOrder)
            {
                using var buffer = new MemoryStream();
                trainedOrder.Save(buffer);
                writer.Write((int)buffer.Length);
                writer.Write(buffer.ToArray());
            }
            else
            {
                writer.Write(-1);
            }

            if (fineTuning)
            {
                WriteHistory(writer, stored.FineTuned!);
                writer.Write(stored.Pruned!.Length);
                writer.Write(stored.Pruned);
                WriteMomentum(writer, stored.PrunedMomentum!);
            }
        });
    }

    private (TrainingHistory History, FilterOrder? Order) Restore(bool fineTuning, CnnNetwork network, MomentumSgd optimizer)
    {
        if (_stored is not { } stored || (fineTuning && stored.Pruned is null))
        {
            return (new TrainingHistory(), null);
        }

        var (state, momentum, history) = fineTuning ? (stored.Pruned!, stored.PrunedMomentum!, stored.FineTuned!) : (stored.Dense, stored.DenseMomentum, stored.Training);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state));
            network.load(reader, strict: true);
        }
        catch (Exception error) when (error is ArgumentException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"Training checkpoint '{_path}' does not fit the {network.Architecture} being trained: {error.Message}", error);
        }

        if (momentum.Count != optimizer.Parameters.Count)
        {
            throw new InvalidDataException($"Training checkpoint '{_path}' holds optimizer state for {momentum.Count} parameters; the network has {optimizer.Parameters.Count}.");
        }

        for (int i = 0; i < momentum.Count; i++)
        {
            if (momentum[i] is { } bytes)
            {
                using var reader = new BinaryReader(new MemoryStream(bytes));
                optimizer.SetMomentumBuffer(i, TensorExtensionMethods.Load(reader).to(optimizer.Parameters[i].device));
            }
        }

        return (Copy(history), fineTuning ? null : stored.Order);
    }

    private static byte[] Serialize(CnnNetwork network)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            network.save(writer);
        }

        return buffer.ToArray();
    }

    private static IReadOnlyList<byte[]?> Momentum(MomentumSgd optimizer)
    {
        var buffers = new byte[]?[optimizer.Parameters.Count];
        for (int i = 0; i < buffers.Length; i++)
        {
            if (optimizer.MomentumBuffer(i) is { } tensor)
            {
                using var buffer = new MemoryStream();
                using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
                {
                    tensor.Save(writer);
                }

                buffers[i] = buffer.ToArray();
            }
        }

        return buffers;
    }

    private static void WriteMomentum(BinaryWriter writer, IReadOnlyList<byte[]?> buffers)
    {
        writer.Write(buffers.Count);
        foreach (var buffer in buffers)
        {
            writer.Write(buffer?.Length ?? -1);
            if (buffer is not null)
            {
                writer.Write(buffer);
            }
        }
    }

    private static byte[]?[] ReadMomentum(BinaryReader reader)
    {
        var buffers = new byte[]?[reader.ReadInt32()];
        for (int i = 0; i < buffers.Length; i++)
        {
            int length = reader.ReadInt32();
            buffers[i] = length < 0 ? null : reader.ReadBytes(length);
        }

        return buffers;
    }

    private static void WriteHistory(BinaryWriter writer, TrainingHistory history)
    {
        writer.Write(history.Count);
        foreach (var epoch in history)
        {
            epoch.WriteTo(writer);
        }
    }

    private static TrainingHistory ReadHistory(BinaryReader reader)
    {
        var history = new TrainingHistory();
        for (int i = reader.ReadInt32(); i > 0; i--)
        {
            history.Add(EpochMetrics.ReadFrom(reader));
        }

        return history;
    }

    private static TrainingHistory Copy(TrainingHistory history)
    {
        var copy = new TrainingHistory();
        foreach (var epoch in history)
        {
            copy.Add(epoch);
        }

        return copy;
    }

    private sealed record Stored(TrainingHistory Training, byte[] Dense, IReadOnlyList<byte[]?> DenseMomentum, FilterOrder? Order, TrainingHistory? FineTuned, byte[]? Pruned, IReadOnlyList<byte[]?>? PrunedMomentum);

    private sealed class Slot(FitCheckpoint owner, bool fineTuning) : ICheckpointSlot
    {
        public (TrainingHistory History, FilterOrder? Order) Restore(CnnNetwork network, MomentumSgd optimizer) => owner.Restore(fineTuning, network, optimizer);

        public void Save(CnnNetwork network, MomentumSgd optimizer, TrainingHistory history, FilterOrder? order) => owner.Write(fineTuning, history, network, optimizer, order);
    }
}
