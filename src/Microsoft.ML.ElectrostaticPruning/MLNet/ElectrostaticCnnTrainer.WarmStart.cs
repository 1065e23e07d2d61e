namespace Microsoft.ML.ElectrostaticPruning;

/// <content>Loading the model that <see cref="Options.InitialModelPath"/> names.</content>
public sealed partial class ElectrostaticCnnTrainer
{
    /// <summary>
    /// Loads the model file with the trainer's environment and finds its ElectrostaticCnnTransformer (the file's model
    /// itself, or the last one in a transformer chain). The caller disposes <c>Loaded</c>, which owns <c>Model</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model, or has no ElectrostaticCnnTransformer.</exception>
    private (ITransformer Loaded, ElectrostaticCnnTransformer Model) LoadInitialModel(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Options.InitialModelPath '{path}' does not exist; give the path of a model saved with mlContext.Model.Save, or null to start from random weights.", path);
        }

        ITransformer loaded;
        try
        {
            using var stream = File.OpenRead(path);
            loaded = new ModelOperationsCatalog(_host).Load(stream, out _);
        }
        catch (Exception e) when (e is not (IOException or UnauthorizedAccessException or OperationCanceledException or OutOfMemoryException))
        {
            throw new InvalidDataException($"Options.InitialModelPath '{path}' cannot be loaded as an ML.NET model: {e.Message}", e);
        }

        if (Find(loaded) is { } model)
        {
            return (loaded, model);
        }

        DisposeLoaded(loaded);
        throw new InvalidDataException(
            $"Options.InitialModelPath '{path}' is an ML.NET model without an ElectrostaticCnnTransformer; save the model the ElectrostaticCnn trainer returned (alone or in a chain) with mlContext.Model.Save.");
    }

    /// <summary>The transformer itself, or the last one found in a (nested) chain; null when there is none.</summary>
    private static ElectrostaticCnnTransformer? Find(ITransformer transformer) => transformer switch
    {
        ElectrostaticCnnTransformer model => model,
        IEnumerable<ITransformer> chain => chain.Select(Find).LastOrDefault(model => model is not null),
        _ => null,
    };

    /// <summary>Disposes a loaded model: the chain (which disposes its transformers), or each disposable part of it.</summary>
    private static void DisposeLoaded(ITransformer transformer)
    {
        switch (transformer)
        {
            case IDisposable disposable:
                disposable.Dispose();
                break;
            case IEnumerable<ITransformer> chain:
                foreach (var part in chain)
                {
                    DisposeLoaded(part);
                }

                break;
        }
    }
}
