using System.Text.Json;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>
/// Builds a zoo network from PyTorch weights (a state dictionary in a <c>.pth</c>/<c>.pt</c> zip file or a
/// <c>.safetensors</c> file, read by <see cref="StateDictReader"/>). The zoo's module names are those of the PyTorch
/// references (<see cref="PyTorchMetadata.ReferenceOf"/>), so every key maps to itself; this class checks all of them:
/// <list type="bullet">
/// <item>the conv widths come from the tensors' shapes (output channels of each indexed conv), so a network pruned and
/// exported by this library (<see cref="PyTorchExport"/>) loads back; a dense file gives the default widths;</item>
/// <item>every tensor of the network must be in the file with the same shape, and the file may hold nothing else;
/// only <c>num_batches_tracked</c> may be missing (older PyTorch and torchvision's V1 ImageNet files have none; the
/// counter then stays 0). Otherwise an <see cref="ArgumentException"/> lists the shapes that differ (key, file shape,
/// network shape), the missing and the unexpected keys, and names the architecture the keys belong to when it is
/// another zoo one;</item>
/// <item>float32, float64, float16 and bfloat16 tensors are accepted for float parameters and statistics and converted
/// to float32 (float64 rounds); integer counters may be any integer type. Integer or boolean values for a float
/// tensor, floats for a counter, and NaN or infinite values fail with an <see cref="InvalidDataException"/>;</item>
/// <item>a classifier with another class count fails, or is replaced by a freshly initialised one, as
/// <see cref="PyTorchLoadOptions.Classifier"/> says.</item>
/// </list>
/// Nothing is returned half loaded: the network is built fresh, filled under no_grad, and disposed when any check fails.
/// Building it draws its initial weights from the global torch RNG, as <see cref="CnnZoo.Create(CnnArchitecture, ImageShape, int)"/>
/// does, so a replaced classifier is reproducible after <c>torch.manual_seed</c>.
/// </summary>
internal static class PyTorchWeights
{
    private const string BatchCounter = ".num_batches_tracked";
    private const int ListedKeys = 6;

    private static readonly ScalarType[] FloatTypes = [ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16];
    private static readonly ScalarType[] IntegerTypes = [ScalarType.Int64, ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte];

    /// <summary>Builds <paramref name="architecture"/> for <paramref name="inputShape"/> images and <paramref name="classCount"/> classes from the weights in <paramref name="path"/>.</summary>
    /// <param name="path">A PyTorch state dictionary: <c>torch.save(model.state_dict(), path)</c> (PyTorch 1.6 or later) or safetensors.</param>
    /// <param name="architecture">The zoo network the file holds.</param>
    /// <param name="inputShape">Shape of one input image.</param>
    /// <param name="classCount">Number of classes of the network to build; null for the file's (its classifier's rows).</param>
    /// <param name="options">Classifier handling and input normalization; <see cref="PyTorchLoadOptions.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable state dictionary, or holds values of the wrong type.</exception>
    /// <exception cref="ArgumentException">The weights do not fit the requested network (architecture, input channels, class count).</exception>
    public static PyTorchLoadResult Load(string path, CnnArchitecture architecture, ImageShape inputShape, int? classCount, PyTorchLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Enum.IsDefined(architecture))
        {
            throw new ArgumentOutOfRangeException(nameof(architecture), architecture, $"Unknown architecture; expected one of {string.Join(", ", Enum.GetNames<CnnArchitecture>())}.");
        }

        options ??= PyTorchLoadOptions.Default;
        using var scope = NewDisposeScope();
        var file = StateDictReader.Read(path);
        var stored = StoredSpec.From(file);
        if (stored.Architecture is { } storedArchitecture && storedArchitecture != architecture)
        {
            throw new ArgumentException($"'{path}' holds a {storedArchitecture} (its metadata says so), not a {architecture}.", nameof(architecture));
        }

        var (widths, classifierName) = InferWidths(file, architecture, inputShape);
        int fileClasses = file.Tensors.TryGetValue($"{classifierName}.weight", out var fileClassifier) && fileClassifier.dim() == 2 ? (int)fileClassifier.shape[0] : -1;
        int classes = classCount ?? (fileClasses > 0
            ? fileClasses
            : throw new ArgumentException($"'{path}' has no classifier '{classifierName}.weight' to take the class count from; give the number of classes.", nameof(classCount)));
        bool replace = options.Classifier == ClassifierHandling.Replace
            || (options.Classifier == ClassifierHandling.ReplaceWhenClassCountDiffers && fileClasses != classes);
        if (!replace && fileClasses >= 0 && fileClasses != classes)
        {
            throw new ArgumentException(
                $"'{path}' has a {fileClasses}-class classifier ('{classifierName}.weight' [{Shape(fileClassifier!)}]) but {classes} classes were requested; replace the classifier with a fresh one (transfer learning) or train on data with {fileClasses} classes.",
                nameof(classCount));
        }

        CnnNetwork network;
        try
        {
            network = CnnZoo.Create(architecture, inputShape, classes, widths);
        }
        catch (ArgumentException error)
        {
            // Most likely the file holds another architecture: the key and shape check of the dense network says how
            // it differs, which helps more than why its widths make no such network.
            using (var dense = CnnZoo.CreateForCopy(architecture, inputShape, classes, CnnZoo.DefaultWidths(architecture), foldBatchNorm: false))
            {
                CheckStructure(file, dense, replace);
            }

            throw new ArgumentException($"'{path}' does not fit a {architecture}: the conv widths its tensors give, [{string.Join(", ", widths)}], do not make one ({error.Message}).", nameof(path), error);
        }

        try
        {
            network.InputNormalization = options.InputNormalization ?? stored.Normalization;
            var absentCounters = CheckStructure(file, network, replace);
            CheckValues(file, network, replace);
            CopyWeights(file, network, replace);
            network.eval();
            string description = Describe(file, network, absentCounters, replace, fileClasses, options.InputNormalization is null && stored.Normalization is not null);
            return new PyTorchLoadResult(network, replace, fileClasses, description, stored.ClassNames is { } names && names.Count == classes && !replace ? names : null);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // Output channels of every indexed conv from the file (the default width where the file has no such conv, which
    // the key check then reports), and the classifier's key prefix. The names and GReg indices of the indexed convs do
    // not depend on the widths, so they come from a throwaway network with one channel per conv.
    private static (int[] Widths, string ClassifierName) InferWidths(PyTorchStateDict file, CnnArchitecture architecture, ImageShape inputShape)
    {
        int[] widths = CnnZoo.DefaultWidths(architecture);
        using var template = CnnZoo.CreateForCopy(architecture, inputShape, 2, [.. Enumerable.Repeat(1, widths.Length)], foldBatchNorm: true);
        foreach (var layer in template.ConvLayers.Where(l => !l.IsShortcut))
        {
            if (file.Tensors.TryGetValue($"{layer.Name}.weight", out var weight) && weight.dim() == 4 && weight.shape[0] is > 0 and <= int.MaxValue)
            {
                widths[layer.LayerIndex] = (int)weight.shape[0];
            }
        }

        return (widths, template.ClassifierName);
    }

    // Keys and shapes; returns the num_batches_tracked counters the file lacks.
    private static List<string> CheckStructure(PyTorchStateDict file, CnnNetwork network, bool replaceClassifier)
    {
        var target = network.state_dict();
        string classifierWeight = $"{network.ClassifierName}.weight", classifierBias = $"{network.ClassifierName}.bias";
        var missing = target.Keys.Where(k => !file.Tensors.ContainsKey(k) && !(replaceClassifier && (k == classifierWeight || k == classifierBias))).ToList();
        var absentCounters = missing.Where(k => k.EndsWith(BatchCounter, StringComparison.Ordinal)).ToList();
        missing.RemoveAll(k => k.EndsWith(BatchCounter, StringComparison.Ordinal));
        var unexpected = file.Tensors.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var mismatched = new List<string>();
        foreach (var (key, expected) in target)
        {
            if (!file.Tensors.TryGetValue(key, out var actual) || (replaceClassifier && key == classifierBias))
            {
                continue;
            }

            // A replaced classifier only has to read as many features as the network produces.
            bool fits = replaceClassifier && key == classifierWeight
                ? actual.dim() == 2 && actual.shape[1] == expected.shape[1]
                : actual.shape.SequenceEqual(expected.shape);
            if (!fits)
            {
                mismatched.Add($"'{key}' is [{Shape(actual)}] in the file but [{Shape(expected)}] in the network");
            }
        }

        if (missing.Count == 0 && unexpected.Count == 0 && mismatched.Count == 0)
        {
            return absentCounters;
        }

        var parts = new List<string>();
        if (mismatched.Count > 0)
        {
            parts.Add($"{mismatched.Count} tensor{(mismatched.Count == 1 ? " has" : "s have")} another shape: {List(mismatched)}");
        }

        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} missing from the file: {List(missing.Select(k => $"'{k}'"))}");
        }

        if (unexpected.Count > 0)
        {
            parts.Add($"{unexpected.Count} in the file but not in the network: {List(unexpected.Select(k => $"'{k}'"))}");
        }

        string guess = GuessArchitecture(file.Tensors.Keys, network.InputShape) is { } other && other != network.Architecture
            ? $" Its keys are those of a {other}."
            : string.Empty;
        throw new ArgumentException(
            $"'{file.Path}' does not fit a {network.Architecture} ({PyTorchMetadata.ReferenceOf(network.Architecture)}, {network.InputShape} input, {network.ClassCount} classes): {string.Join("; ", parts)}.{guess}",
            "path");
    }

    private static void CheckValues(PyTorchStateDict file, CnnNetwork network, bool replaceClassifier)
    {
        foreach (var (key, expected) in network.state_dict())
        {
            if (!file.Tensors.TryGetValue(key, out var actual) || (replaceClassifier && IsClassifier(network, key)))
            {
                continue;
            }

            bool integer = expected.dtype == ScalarType.Int64;
            if (!(integer ? IntegerTypes : FloatTypes).Contains(actual.dtype))
            {
                throw new InvalidDataException(integer
                    ? $"'{file.Path}': '{key}' is stored as {actual.dtype}; a BatchNorm batch counter needs integer values."
                    : $"'{file.Path}': '{key}' is stored as {actual.dtype}; the network's float tensors need float32, float64, float16 or bfloat16 values (converted to float32).");
            }

            if (!integer && !actual.isfinite().all().item<bool>())
            {
                throw new InvalidDataException($"'{file.Path}': '{key}' holds NaN or infinite values.");
            }
        }
    }

    private static void CopyWeights(PyTorchStateDict file, CnnNetwork network, bool replaceClassifier)
    {
        using var noGrad = no_grad();
        foreach (var (key, target) in network.state_dict())
        {
            if (file.Tensors.TryGetValue(key, out var source) && !(replaceClassifier && IsClassifier(network, key)))
            {
                target.copy_(source);
            }
        }
    }

    private static bool IsClassifier(CnnNetwork network, string key) =>
        key == $"{network.ClassifierName}.weight" || key == $"{network.ClassifierName}.bias";

    // The zoo architecture whose keys (downsample convs and batch counters aside, which depend on widths and PyTorch
    // versions) are exactly the file's; null when none is.
    private static CnnArchitecture? GuessArchitecture(IEnumerable<string> fileKeys, ImageShape inputShape)
    {
        static bool Compared(string key) => !key.EndsWith(BatchCounter, StringComparison.Ordinal) && !key.Contains(".downsample.", StringComparison.Ordinal);
        var keys = fileKeys.Where(Compared).ToHashSet(StringComparer.Ordinal);
        var shape = new ImageShape(inputShape.Channels, 32, 32);
        foreach (var architecture in Enum.GetValues<CnnArchitecture>())
        {
            int count = CnnZoo.DefaultWidths(architecture).Length;
            using var template = CnnZoo.CreateForCopy(architecture, shape, 2, [.. Enumerable.Repeat(1, count)], foldBatchNorm: false);
            if (template.state_dict().Keys.Where(Compared).ToHashSet(StringComparer.Ordinal).SetEquals(keys))
            {
                return architecture;
            }
        }

        return null;
    }

    private static string Describe(PyTorchStateDict file, CnnNetwork network, List<string> absentCounters, bool replaced, int fileClasses, bool normalizationFromFile)
    {
        bool pruned = !network.Widths.SequenceEqual(CnnZoo.DefaultWidths(network.Architecture));
        var parts = new List<string>
        {
            $"PyTorch weights '{file.Path}' ({file.Format}, {file.Tensors.Count} tensors, {PyTorchMetadata.ReferenceOf(network.Architecture)} layout{(pruned ? $", pruned widths [{string.Join(", ", network.Widths)}]" : string.Empty)})",
        };
        parts.AddRange(file.Notes);
        if (absentCounters.Count > 0)
        {
            parts.Add($"{absentCounters.Count} num_batches_tracked counter{(absentCounters.Count == 1 ? string.Empty : "s")} absent (kept at 0)");
        }

        if (replaced)
        {
            string fresh = $"classifier '{network.ClassifierName}' replaced by a freshly initialised one";
            parts.Add(fileClasses == network.ClassCount ? $"{fresh} ({network.ClassCount} classes)"
                : fileClasses < 0 ? $"{fresh}: the file has no classifier, {network.ClassCount} classes requested"
                : $"{fresh}: the file has {fileClasses} classes, {network.ClassCount} requested");
        }

        if (network.InputNormalization is { } normalization)
        {
            parts.Add($"input normalization {normalization}{(normalizationFromFile ? " (from the file's metadata)" : string.Empty)}");
        }

        return string.Join("; ", parts);
    }

    private static string Shape(Tensor tensor) => string.Join(", ", tensor.shape);

    private static string List(IEnumerable<string> items)
    {
        var all = items.ToList();
        return all.Count <= ListedKeys ? string.Join(", ", all) : $"{string.Join(", ", all.Take(ListedKeys))} and {all.Count - ListedKeys} more";
    }

    // What a file written by PyTorchExport says about itself (nothing for other files: their metadata, if any, is not ours).
    private sealed record StoredSpec(CnnArchitecture? Architecture, InputNormalization? Normalization, IReadOnlyList<string>? ClassNames)
    {
        public static StoredSpec From(PyTorchStateDict file)
        {
            var metadata = file.Metadata;
            if (!metadata.TryGetValue(PyTorchMetadata.Format, out string? format) || format != PyTorchMetadata.FormatName)
            {
                return new StoredSpec(null, null, null);
            }

            CnnArchitecture? architecture = null;
            if (metadata.TryGetValue(PyTorchMetadata.Architecture, out string? name))
            {
                architecture = Enum.TryParse<CnnArchitecture>(name, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
                    ? parsed
                    : throw new InvalidDataException($"'{file.Path}': its metadata names an unknown architecture '{name}'.");
            }

            InputNormalization? normalization = null;
            if (metadata.TryGetValue(PyTorchMetadata.NormalizationMean, out string? mean) | metadata.TryGetValue(PyTorchMetadata.NormalizationStd, out string? std))
            {
                try
                {
                    normalization = new InputNormalization(Floats(mean), Floats(std));
                }
                catch (Exception error) when (error is JsonException or ArgumentException)
                {
                    throw new InvalidDataException($"'{file.Path}': its metadata holds an invalid input normalization (mean '{mean}', std '{std}'): {error.Message}", error);
                }
            }

            IReadOnlyList<string>? classNames = null;
            if (metadata.TryGetValue(PyTorchMetadata.Classes, out string? classes))
            {
                try
                {
                    classNames = JsonSerializer.Deserialize<string[]>(classes);
                }
                catch (JsonException error)
                {
                    throw new InvalidDataException($"'{file.Path}': its metadata holds invalid class names '{classes}': {error.Message}", error);
                }
            }

            return new StoredSpec(architecture, normalization, classNames);
        }

        private static float[] Floats(string? json) =>
            json is null ? [] : JsonSerializer.Deserialize<float[]>(json) ?? [];
    }
}
