using ElectrostaticPruning.Samples.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Saves and loads models as ML.NET model files (zip), atomically.</summary>
internal static class ModelFiles
{
    /// <summary>Saves <paramref name="model"/> with the schema of the data it was trained on.</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        AtomicFile.Write(path, stream => mlContext.Model.Save(model, inputSchema, stream));
    }

    /// <summary>Loads a model saved by the samples and returns its ElectrostaticCnn transformer.</summary>
    /// <param name="mlContext">The context to load with.</param>
    /// <param name="path">The model file.</param>
    /// <param name="option">The command-line option that named the file, for messages; default "--model".</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model, or has no ElectrostaticCnn transformer.</exception>
    public static ElectrostaticCnnTransformer Load(MLContext mlContext, string path, string option = "--model") => LoadWithSchema(mlContext, path, option).Model;

    /// <summary>Like <see cref="Load"/>, also returning the input schema saved with the model.</summary>
    public static (ElectrostaticCnnTransformer Model, DataViewSchema Schema) LoadWithSchema(MLContext mlContext, string path, string option = "--model")
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{option} file '{path}' does not exist.", path);
        }

        ITransformer loaded;
        DataViewSchema schema;
        try
        {
            using var stream = File.OpenRead(path);
            loaded = mlContext.Model.Load(stream, out schema);
        }
        catch (Exception e) when (e is not (IOException or UnauthorizedAccessException or OperationCanceledException))
        {
            throw new InvalidDataException($"{option} '{path}' cannot be loaded as an ML.NET model: {e.Message}", e);
        }

        var model = Find(loaded)
            ?? throw new InvalidDataException($"{option} '{path}' is an ML.NET model without an ElectrostaticCnn transformer; save one with 'train'.");
        return (model, schema);
    }

    private static ElectrostaticCnnTransformer? Find(ITransformer transformer) => transformer switch
    {
        ElectrostaticCnnTransformer model => model,
        IEnumerable<ITransformer> chain => chain.Select(Find).LastOrDefault(model => model is not null),
        _ => null,
    };
}
