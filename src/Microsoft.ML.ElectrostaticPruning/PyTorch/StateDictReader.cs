using System.Collections;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>
/// Reads a PyTorch state dictionary from a file, recognised by its content, not its extension: the zip format that
/// <c>torch.save</c> writes since PyTorch 1.6 (<c>.pth</c>, <c>.pt</c>, starts with <c>PK\x03\x04</c>; read with
/// TorchSharp.PyBridge's <c>PyTorchUnpickler.UnpickleStateDict</c>) or safetensors (header checked by
/// <see cref="SafetensorsFile.ReadHeader"/>, tensors read with PyBridge's <c>Safetensors.LoadStateDict</c>).
/// A checkpoint dictionary that holds the state dictionary under <c>state_dict</c>, <c>model_state_dict</c>,
/// <c>model</c> or <c>net</c> (akamaster's <c>{'state_dict': ..., 'best_prec1': ...}</c>, for instance) is unwrapped, and a
/// <c>module.</c> prefix on every key (<c>nn.DataParallel</c>) is removed. Legacy (pre-1.6) files, whole pickled models
/// and anything else fail with an <see cref="InvalidDataException"/> that names the file and says how to re-save it.
/// </summary>
internal static class StateDictReader
{
    /// <summary>Format name of files written by <c>torch.save</c> (zip).</summary>
    public const string ZipFormat = "PyTorch zip";

    /// <summary>Format name of safetensors files.</summary>
    public const string SafetensorsFormat = "safetensors";

    private const string DataParallelPrefix = "module.";

    // Checkpoint entries that commonly hold the state dictionary, in the order they are tried.
    private static readonly string[] Wrappers = ["state_dict", "model_state_dict", "model", "net"];

    /// <summary>Reads <paramref name="path"/>; call it inside a dispose scope, which receives the tensors.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a state dictionary this reader can read; the message says why and what to do.</exception>
    public static PyTorchStateDict Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"PyTorch weights file '{path}' does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        var head = new byte[16];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        var notes = new List<string>();
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
        {
            var tensors = StripDataParallelPrefix(ReadZip(stream, path, notes), notes);
            return new PyTorchStateDict(path, ZipFormat, tensors, new Dictionary<string, string>(), notes);
        }

        if (read >= 9 && head[8] == '{')
        {
            var (tensors, metadata) = ReadSafetensors(stream, path);
            return new PyTorchStateDict(path, SafetensorsFormat, StripDataParallelPrefix(tensors, notes), metadata, notes);
        }

        throw new InvalidDataException(read switch
        {
            0 => $"PyTorch weights file '{path}' is empty.",
            _ when head[0] == 0x80 => $"'{path}' was saved in PyTorch's legacy format (torch.save before PyTorch 1.6, or with _use_new_zipfile_serialization=False), which cannot be read here. {ResaveRecipe(path)}",
            _ when read >= 8 && head.AsSpan(0, 8).SequenceEqual("EPRUNED\u001A"u8) => $"'{path}' is a network file of this library, not PyTorch weights; save the network for PyTorch (.safetensors) to read it here.",
            _ => $"'{path}' is neither a PyTorch checkpoint (the zip file torch.save writes, starting with 'PK') nor a safetensors file (its first bytes are {Convert.ToHexString(head, 0, read)}).",
        });
    }

    /// <summary>The Python one-liners that re-save a legacy (or wrapped) checkpoint as a zip-format state dictionary.</summary>
    internal static string ResaveRecipe(string path)
    {
        string output = Path.ChangeExtension(path, null) + "-state.pth";
        return $"Re-save it with PyTorch 1.6 or later: python3 -c \"import torch; torch.save(torch.load('{path}', map_location='cpu'), '{output}')\" "
            + $"(for akamaster's pytorch_resnet_cifar10 .th files, the state dictionary alone: python3 -c \"import torch; torch.save({{k[7:]: v for k, v in torch.load('{path}', map_location='cpu')['state_dict'].items()}}, '{output}')\").";
    }

    private static Dictionary<string, Tensor> ReadZip(Stream stream, string path, List<string> notes)
    {
        // The archive is checked first, so that a truncated file or a zip that is not a checkpoint (an ML.NET model, say)
        // gets its own message rather than the unpickler's.
        bool hasPickle;
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            hasPickle = archive.Entries.Any(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal));
        }
        catch (InvalidDataException error)
        {
            throw new InvalidDataException($"'{path}' is truncated or corrupt: it starts like a PyTorch (zip) checkpoint but cannot be opened as a zip file ({error.Message}).", error);
        }

        if (!hasPickle)
        {
            throw new InvalidDataException($"'{path}' is a zip file but not a PyTorch checkpoint: it has no data.pkl entry (an ML.NET model is warm-started from as a model, not as PyTorch weights).");
        }

        stream.Position = 0;
        object root;
        try
        {
            root = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (NotImplementedException error) when (error.Message.Contains("entire model", StringComparison.Ordinal))
        {
            throw new InvalidDataException(
                $"'{path}' holds a whole pickled model (torch.save(model)), not a state dictionary. Re-save its state dictionary where the model's classes can be imported: "
                + $"python3 -c \"import torch; torch.save(torch.load('{path}', map_location='cpu', weights_only=False).state_dict(), '{Path.ChangeExtension(path, null)}-state.pth')\".",
                error);
        }
        catch (InvalidCastException error)
        {
            throw new InvalidDataException($"'{path}' holds a pickled object that is not a dictionary; expected a state dictionary (torch.save(model.state_dict(), path)).", error);
        }
        catch (Exception error) when (error is not (OutOfMemoryException or OperationCanceledException))
        {
            throw new InvalidDataException($"'{path}' cannot be read as a PyTorch state dictionary (truncated or corrupt, or it holds objects other than tensors): {error.GetType().Name}: {error.Message}", error);
        }

        return FromPickle((Hashtable)root, path, notes);
    }

    private static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ReadSafetensors(Stream stream, string path)
    {
        var header = SafetensorsFile.ReadHeader(stream, path);
        stream.Position = 0;
        Dictionary<string, Tensor> tensors;
        try
        {
            tensors = Safetensors.LoadStateDict(stream, leaveOpen: true);
        }
        catch (Exception error) when (error is not (OutOfMemoryException or OperationCanceledException))
        {
            throw new InvalidDataException($"'{path}' cannot be read as a safetensors file: {error.GetType().Name}: {error.Message}", error);
        }

        if (tensors.Count != header.Entries.Count)
        {
            throw new InvalidDataException($"'{path}': the header lists {header.Entries.Count} tensors but {tensors.Count} were read.");
        }

        return (tensors, header.Metadata);
    }

    // The tensors of the state dictionary, unwrapping checkpoint dictionaries that hold it.
    private static Dictionary<string, Tensor> FromPickle(Hashtable root, string path, List<string> notes)
    {
        var table = root;
        for (int depth = 0; table.Count > 0 && !table.Values.OfType<Tensor>().Any(); depth++)
        {
            // At most two levels ({'model': {'state_dict': ...}}); deeper nesting is not a checkpoint layout in use.
            string? wrapper = depth < 2 ? Wrappers.FirstOrDefault(w => table[w] is Hashtable) : null;
            if (wrapper is null)
            {
                throw new InvalidDataException(
                    $"'{path}' holds a dictionary without tensors (keys: {Keys(table.Keys)}); expected a state dictionary (torch.save(model.state_dict(), path)) or a checkpoint that holds one under {string.Join(", ", Wrappers.Select(w => $"'{w}'"))}.");
            }

            notes.Add($"state dictionary read from the checkpoint's '{wrapper}' entry");
            table = (Hashtable)table[wrapper]!;
        }

        if (table.Count == 0)
        {
            throw new InvalidDataException($"'{path}' holds an empty dictionary, not a state dictionary with the network's tensors.");
        }

        var others = table.Cast<DictionaryEntry>().Where(e => e.Key is not string || e.Value is not Tensor).Select(e => e.Key).ToList();
        if (others.Count > 0)
        {
            throw new InvalidDataException($"'{path}' mixes tensors with other entries ({Keys(others)}); expected a state dictionary whose values are all tensors.");
        }

        return table.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (Tensor)e.Value!, StringComparer.Ordinal);
    }

    private static Dictionary<string, Tensor> StripDataParallelPrefix(Dictionary<string, Tensor> tensors, List<string> notes)
    {
        if (tensors.Count == 0 || !tensors.Keys.All(k => k.StartsWith(DataParallelPrefix, StringComparison.Ordinal)))
        {
            return tensors;
        }

        notes.Add($"'{DataParallelPrefix}' prefix (DataParallel) removed");
        return tensors.ToDictionary(kv => kv.Key[DataParallelPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
    }

    private static string Keys(IEnumerable keys)
    {
        var names = keys.Cast<object>().Select(k => $"'{k}'").ToList();
        return names.Count <= 8 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(8))} and {names.Count - 8} more";
    }
}
