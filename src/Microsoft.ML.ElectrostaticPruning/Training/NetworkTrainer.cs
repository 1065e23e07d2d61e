using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>
/// Trains an image classifier with SGD on cross-entropy plus an optional weight penalty (the paper's Algorithm 1
/// when the penalty is the electrostatic force).
/// </summary>
internal sealed class NetworkTrainer
{
    /// <summary>
    /// After a <see cref="Train"/> with <see cref="TrainingOptions.AnyRatio"/>: the filter order its last epoch's
    /// sub-networks trained over, which pruning keeps (the checkpoint's when every epoch was restored from it); null otherwise.
    /// </summary>
    public FilterOrder? TrainedOrder { get; private set; }

    /// <summary>
    /// Trains <paramref name="model"/> in place for <see cref="TrainingOptions.Epochs"/> epochs, starting from its
    /// current weights (random init or loaded by the caller) or from the checkpoint when resuming.
    /// </summary>
    /// <param name="model">Classifier mapping <c>[B, C, H, W]</c> to <c>[B, K]</c> logits; moved to the chosen device.</param>
    /// <param name="regularizedWeights">Convolution weights <c>[N, C, k, k]</c> of <paramref name="model"/> that the regularizer acts on (the layers to prune); must not be empty unless the regularizer is None.</param>
    /// <param name="train">Training images.</param>
    /// <param name="validation">Optional images evaluated after every epoch; same shape and class count as <paramref name="train"/>.</param>
    /// <param name="options">Settings; validated first.</param>
    /// <param name="progress">Receives each epoch's metrics on the training thread, after its checkpoint is written.</param>
    /// <param name="stop">Checked before every step; a cancellation throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="checkpoint">Restored before the first epoch (training continues after the epochs it holds) and saved after each; null for none.</param>
    /// <remarks>
    /// Each epoch re-seeds the torch RNG and a <see cref="Random"/> from (seed, epoch), so a run with a fixed seed is
    /// reproduced exactly on the CPU and a resumed run continues exactly as if uninterrupted.
    /// </remarks>
    public TrainingHistory Train(
        CnnNetwork model,
        IReadOnlyList<Parameter> regularizedWeights,
        ImageDataset train,
        ImageDataset? validation,
        TrainingOptions options,
        IProgress<EpochMetrics>? progress = null,
        TrainingStop stop = default,
        ICheckpointSlot? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(regularizedWeights);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ValidateValidationSet(train, validation);
        TrainedOrder = null;
        if (options.Regularizer is not null && regularizedWeights.Count == 0)
        {
            throw new ArgumentException($"The regularizer is the {options.Regularizer.Name}, so at least one convolution layer to regularize is required (the layers to prune); got an empty list.", nameof(regularizedWeights));
        }

        string[] weightNames = ResolveNames(model, regularizedWeights);
        var layers = model.ConvLayers.ToDictionary(l => $"{l.Name}.weight", StringComparer.Ordinal);
        var regularizer = options.Regularizer?.Create(new RegularizationTarget(model, [.. weightNames.Select(n => layers[n])], options.Plan, options.AnyRatio));
        var device = DeviceSelector.Resolve(options.Device);
        model.to(device);

        // A network built before a mode was forced gets what the active mode needs.
        ConvolutionKernels.Prepare(model);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor[] weights = weightNames.Select(n => (Tensor)parameters[n]).ToArray();
        ProbeShapes(model, train, device);

        using var optimizer = new MomentumSgd(model.parameters(), options.Schedule.RateAt(0), options.Momentum, options.WeightDecay);
        var (history, restoredOrder) = checkpoint?.Restore(model, optimizer) ?? (new TrainingHistory(), null);

        var assembler = new BatchAssembler(train, options.BatchSize);
        var sandwich = options.AnyRatio is { } anyRatio
            ? new SandwichSampler(model, anyRatio, options.Plan ?? throw new ArgumentException("Sandwich training needs the pruning plan (its ranking and compensation).", nameof(options)))
            : null;
        int[] trainAccuracySample = TrainAccuracySample(train.Count, options.Seed);
        for (int epoch = history.Count; epoch < options.Epochs; epoch++)
        {
            var metrics = RunEpoch(model, weights, regularizer, optimizer, assembler, train, trainAccuracySample, validation, options, epoch, device, stop, epoch >= (options.AnyRatio?.StartEpoch ?? 0) ? sandwich : null);
            history.Add(metrics);
            checkpoint?.Save(model, optimizer, history, sandwich?.Order);

            progress?.Report(metrics);
        }

        // A run whose every epoch was restored trains nothing: its order is the one the checkpoint's last epoch trained over.
        TrainedOrder = sandwich?.Order ?? (sandwich is null ? null : restoredOrder);
        return history;
    }

    /// <summary>Top-1 accuracy of <paramref name="model"/> on <paramref name="data"/>, in [0, 1] (evaluation mode, no grad, batched).</summary>
    /// <param name="model">The classifier; its training/evaluation mode is restored afterwards.</param>
    /// <param name="data">Images to classify.</param>
    /// <param name="batchSize">Images per forward pass; at least 1.</param>
    /// <param name="device">Device the model lives on.</param>
    public static double Evaluate(CnnNetwork model, ImageDataset data, int batchSize, Device device) =>
        Evaluate(model, data, [.. Enumerable.Range(0, data?.Count ?? 0)], batchSize, device);

    /// <summary>Images of the training set whose eval-mode accuracy each epoch reports (all of them up to this count).</summary>
    internal const int TrainAccuracySampleSize = 10_000;

    /// <summary>Top-1 accuracy of <paramref name="model"/> on the images <paramref name="order"/> of <paramref name="data"/> (evaluation mode).</summary>
    private static double Evaluate(CnnNetwork model, ImageDataset data, int[] order, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var assembler = new BatchAssembler(data, batchSize);
            long correct = 0;
            for (int start = 0; start < order.Length; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var (inputs, labels) = assembler.Assemble(order.AsSpan(start, Math.Min(batchSize, order.Length - start)), null, device);
                correct += model.forward(inputs).argmax(1).eq(labels).sum().item<long>();
            }

            return (double)correct / order.Length;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The seed of epoch <paramref name="epoch"/>'s shuffling, augmentation and torch RNG.</summary>
    /// <remarks>
    /// A fixed SplitMix64 mix of (seed, epoch): the same in every process, unlike <see cref="HashCode"/>, which is
    /// randomized per process and would make runs and resumed checkpoints irreproducible.
    /// </remarks>
    internal static int EpochSeed(int seed, int epoch)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)epoch) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    private static EpochMetrics RunEpoch(
        CnnNetwork model,
        Tensor[] weights,
        PruningRegularizer? regularizer,
        MomentumSgd optimizer,
        BatchAssembler assembler,
        ImageDataset train,
        int[] trainAccuracySample,
        ImageDataset? validation,
        TrainingOptions options,
        int epoch,
        Device device,
        TrainingStop stop,
        SandwichSampler? sandwich)
    {
        long started = Stopwatch.GetTimestamp();
        double rate = options.Schedule.ForEpochs(options.Epochs).RateAt(epoch);
        optimizer.LearningRate = rate;

        int epochSeed = EpochSeed(options.Seed, epoch);
        manual_seed(epochSeed);
        var random = new Random(epochSeed);
        int[] order = BatchAssembler.Shuffle(train.Count, random);
        var augmentation = options.Augment ? random : null;

        sandwich?.BeginEpoch();
        model.train();
        double lossSum = 0, penaltySum = 0;
        int steps = 0;
        for (int start = 0; start < train.Count; start += options.BatchSize)
        {
            stop.ThrowIfStopped();
            using var scope = NewDisposeScope();
            int count = Math.Min(options.BatchSize, train.Count - start);
            var (inputs, labels) = assembler.Assemble(order.AsSpan(start, count), augmentation, device);
            if (epoch < options.WarmupEpochs)
            {
                // Linear warm-up (Goyal et al. 2017): the rate rises step by step from rate/S to the schedule's rate over
                // the first WarmupEpochs epochs of S steps in all, so a fresh network does not start with a loss spike.
                int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
                double fraction = (double)((epoch * stepsPerEpoch) + steps + 1) / (options.WarmupEpochs * stepsPerEpoch);
                optimizer.LearningRate = rate * Math.Min(1, fraction);
            }

            var active = epoch < options.PenaltyStartEpoch ? null : regularizer;
            var step = sandwich is null
                ? TrainingStep.Run(model, optimizer, active, weights, inputs, labels)
                : TrainingStep.RunSandwich(model, optimizer, active, weights, inputs, labels, sandwich.Ratios(steps, random).Select(r => sandwich.SubNetwork(r, device)), options.AnyRatio!.DistillationWeight, options.AnyRatio.SubNetworkWeight);
            lossSum += step.Loss * count;
            penaltySum += step.Penalty;
            steps++;
        }

        // Accuracy as the returned model scores: evaluation mode (BatchNorm running statistics), no augmentation. The
        // running accuracy of the training batches (batch statistics) can be far from it, e.g. while weights grow fast.
        double trainAccuracy = Evaluate(model, train, trainAccuracySample, options.BatchSize, device);
        double? validationAccuracy = validation is null ? null : Evaluate(model, validation, options.BatchSize, device);
        return new EpochMetrics(
            epoch,
            rate,
            lossSum / train.Count,
            penaltySum / steps,
            trainAccuracy,
            validationAccuracy,
            Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    // All training images, or a fixed seeded sample of TrainAccuracySampleSize of them (the same every epoch).
    private static int[] TrainAccuracySample(int count, int seed) =>
        count <= TrainAccuracySampleSize ? [.. Enumerable.Range(0, count)] : [.. BatchAssembler.Shuffle(count, new Random(seed))[..TrainAccuracySampleSize].Order()];

    private static string[] ResolveNames(nn.Module model, IReadOnlyList<Parameter> weights)
    {
        var byHandle = model.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        var names = new string[weights.Count];
        for (int i = 0; i < weights.Count; i++)
        {
            var weight = weights[i] ?? throw new ArgumentNullException(nameof(weights), $"Regularized weight {i} is null.");
            if (!byHandle.TryGetValue(weight.Handle, out var name))
            {
                throw new ArgumentException($"Regularized weight {i} (shape [{string.Join(", ", weight.shape)}]) is not a parameter of the model being trained.", "regularizedWeights");
            }

            if (weight.dim() != 4)
            {
                throw new ArgumentException($"Regularized weight {i} ('{name}') must be a convolution weight [filters, channels, k, k], got shape [{string.Join(", ", weight.shape)}].", "regularizedWeights");
            }

            names[i] = name;
        }

        return names;
    }

    private static void ValidateValidationSet(ImageDataset train, ImageDataset? validation)
    {
        if (validation is not null && (validation.Shape != train.Shape || validation.ClassCount != train.ClassCount))
        {
            throw new ArgumentException($"The validation set has images {validation.Shape} and {validation.ClassCount} classes; expected the training set's {train.Shape} and {train.ClassCount} classes.", nameof(validation));
        }
    }

    /// <summary>Runs one zero image through the model so that a shape mismatch fails here, with a clear message, rather than deep in training.</summary>
    private static void ProbeShapes(CnnNetwork model, ImageDataset train, Device device)
    {
        var shape = train.Shape;
        if (model.InputShape != shape || model.ClassCount != train.ClassCount)
        {
            throw new ArgumentException($"The training images are {shape} (C x H x W) with {train.ClassCount} classes, but the {model.Architecture} network expects {model.InputShape} with {model.ClassCount} classes.", nameof(train));
        }

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor output;
            try
            {
                output = model.forward(zeros([1, shape.Channels, shape.Height, shape.Width], device: device));
            }
            catch (Exception error) when (error is ExternalException or ArgumentException or InvalidOperationException)
            {
                throw new ArgumentException($"The model does not accept the training images: input shape (C x H x W) is {shape}, which the model cannot process ({FirstLine(error.Message)}). Expected images of the shape the model was built for.", nameof(train), error);
            }

            if (output.dim() != 2 || output.shape[1] != train.ClassCount)
            {
                throw new ArgumentException($"The model outputs [{string.Join(", ", output.shape)}] for one image, but the training set has {train.ClassCount} classes: expected [1, {train.ClassCount}].", nameof(train));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
