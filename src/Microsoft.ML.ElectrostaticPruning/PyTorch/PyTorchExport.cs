using System.Globalization;
using System.Reflection;
using System.Text.Json;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>
/// Writes a zoo network, dense or pruned, for PyTorch: its trainable state (BatchNorm not folded) as one safetensors file
/// under the reference names (<see cref="PyTorchMetadata.ReferenceOf"/>), float32 parameters and statistics and 0-dim
/// int64 <c>num_batches_tracked</c> counters, with <c>__metadata__</c> strings (<see cref="PyTorchMetadata"/>):
/// architecture, reference, input shape, class count and names, kept widths per layer, input normalization, format
/// version. The file is written atomically. <c>load_pruned</c> of <c>electrostatic_pruning_torch.py</c> (shipped in the
/// package's <c>tools/</c> folder) rebuilds the narrower reference model from it and loads it with <c>strict=True</c>;
/// <see cref="PyTorchWeights.Load"/> reads it back (widths from the shapes, normalization from the metadata).
/// </summary>
internal static class PyTorchExport
{
    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/> atomically (temporary file in the same folder, then a rename).</summary>
    /// <param name="network">A trainable (not BatchNorm-folded) network; it is not modified.</param>
    /// <param name="path">The file to write, conventionally <c>*.safetensors</c>.</param>
    /// <param name="classNames">The class names in output order, or null to store none.</param>
    /// <exception cref="ArgumentException">The network is folded, or the class names do not match its class count.</exception>
    public static void Save(CnnNetwork network, string path, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var metadata = Metadata(network, classNames);
        AtomicFile.Write(path, stream => Write(network, stream, metadata));
    }

    /// <summary>Writes <paramref name="network"/> to <paramref name="stream"/>; see <see cref="Save(CnnNetwork, string, IReadOnlyList{string}?)"/>.</summary>
    /// <exception cref="ArgumentException">The network is folded, or the class names do not match its class count.</exception>
    public static void Save(CnnNetwork network, Stream stream, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Write(network, stream, Metadata(network, classNames));
    }

    /// <summary>The <c>__metadata__</c> strings written for <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException">The network is folded, or the class names do not match its class count.</exception>
    public static Dictionary<string, string> Metadata(CnnNetwork network, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.IsBatchNormFolded)
        {
            throw new ArgumentException($"This {network.Architecture} has its BatchNorms folded for inference (ForInference()); save the trainable network for PyTorch.", nameof(network));
        }

        if (classNames is not null && classNames.Count != network.ClassCount)
        {
            throw new ArgumentException($"{classNames.Count} class names were given for a network with {network.ClassCount} classes.", nameof(classNames));
        }

        var shape = network.InputShape;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PyTorchMetadata.Format] = PyTorchMetadata.FormatName,
            [PyTorchMetadata.FormatVersion] = PyTorchMetadata.CurrentVersion,
            [PyTorchMetadata.Architecture] = network.Architecture.ToString(),
            [PyTorchMetadata.Reference] = PyTorchMetadata.ReferenceOf(network.Architecture),
            [PyTorchMetadata.InputShape] = JsonSerializer.Serialize<int[]>([shape.Channels, shape.Height, shape.Width]),
            [PyTorchMetadata.ClassCount] = network.ClassCount.ToString(CultureInfo.InvariantCulture),
            [PyTorchMetadata.Widths] = JsonSerializer.Serialize(network.Widths.ToArray()),
            [PyTorchMetadata.Producer] = Producer(),
        };
        if (classNames is not null)
        {
            metadata[PyTorchMetadata.Classes] = JsonSerializer.Serialize(classNames.ToArray());
        }

        if (network.InputNormalization is { } normalization)
        {
            metadata[PyTorchMetadata.NormalizationMean] = JsonSerializer.Serialize(normalization.Mean.ToArray());
            metadata[PyTorchMetadata.NormalizationStd] = JsonSerializer.Serialize(normalization.Std.ToArray());
        }

        return metadata;
    }

    private static void Write(CnnNetwork network, Stream stream, Dictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, value) in network.state_dict())
        {
            var exported = value.dtype switch
            {
                ScalarType.Float32 or ScalarType.Int64 => value,
                ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16 => value.to(ScalarType.Float32),
                _ => throw new InvalidOperationException($"{network.Architecture} state entry '{name}' is {value.dtype}; expected float32 parameters and int64 counters."),
            };
            tensors.Add(new(name, exported));
        }

        SafetensorsFile.Write(stream, tensors, metadata);
    }

    private static string Producer()
    {
        var assembly = typeof(PyTorchExport).Assembly;
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        return $"Microsoft.ML.ElectrostaticPruning {version}";
    }
}
