using Microsoft.ML;
using Microsoft.ML.Runtime;

// Registers the loader: a saved model names this assembly and this signature, so Model.Load finds it in any process
// without a registration call.
[assembly: LoadableClass(typeof(ElectrostaticCnnTransformer), null, typeof(SignatureLoadModel), "Electrostatic CNN", ElectrostaticCnnTransformer.LoaderSignature)]

namespace Microsoft.ML.ElectrostaticPruning;

/// <content>Saving and loading through ML.NET's model repository (the internal API reached via build/Publicizer.targets).</content>
public sealed partial class ElectrostaticCnnTransformer
{
    /// <summary>Loader signature written into the model header (at most 24 characters).</summary>
    internal const string LoaderSignature = "ElectrostaticCnnModel";

    /// <summary>Zip entry holding the pruned network (NetworkSerializer format).</summary>
    internal const string PrunedNetworkEntry = "PrunedNetwork.bin";

    /// <summary>Zip entry holding the dense trained network (NetworkSerializer format).</summary>
    internal const string DenseNetworkEntry = "DenseNetwork.bin";

    /// <summary>Optional zip entry holding the BatchNorm statistics of stored widths (<see cref="WidthStatistics"/> format); absent when the model has none.</summary>
    internal const string WidthStatisticsEntry = "WidthStatistics.bin";

    /// <summary>Optional zip entry holding the filter order any-ratio training trained over (<see cref="FilterOrder"/> format); absent when the model has none.</summary>
    internal const string FilterOrderEntry = "FilterOrder.bin";

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "EPCNNXFM",
        verWrittenCur: 0x00010003, // 0x00010002: optional WidthStatistics.bin entry; 0x00010003: optional FilterOrder.bin entry (readers of 0x00010001 ignore both)
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(ElectrostaticCnnTransformer).Assembly.FullName);

    /// <summary>Writes the columns, classes, plan, history and both networks.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ThrowIfDisposed();
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        var writer = ctx.Writer;
        ctx.SaveNonEmptyString(_columns.Features);
        ctx.SaveNonEmptyString(_columns.Score);
        ctx.SaveNonEmptyString(_columns.PredictedLabel);
        _labels.Save(writer);
        ctx.SaveNonEmptyString(_plan.ToString());
        ctx.SaveString(_trainingOptions);
        writer.Write(_inferenceBatchSize);
        WriteHistory(writer, _training);
        WriteHistory(writer, _fineTuning);

        ctx.SaveBinaryStream(PrunedNetworkEntry, w => SaveNetwork(w, _pruned));
        ctx.SaveBinaryStream(DenseNetworkEntry, w => SaveNetwork(w, _dense.Network));
        if (_dense.WidthStatistics is { } statistics)
        {
            ctx.SaveBinaryStream(WidthStatisticsEntry, w =>
            {
                w.Flush();
                statistics.Save(w.BaseStream);
            });
        }

        if (_dense.FilterOrder is { } order)
        {
            ctx.SaveBinaryStream(FilterOrderEntry, w =>
            {
                w.Flush();
                order.Save(w.BaseStream);
            });
        }
    }

    /// <summary>The loader ML.NET calls (found by reflection through the LoadableClass attribute).</summary>
    private static ElectrostaticCnnTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel(GetVersionInfo());
        try
        {
            var reader = ctx.Reader;
            var columns = new ScoringColumns(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
            var labels = ClassLabels.Load(reader);
            var plan = PruningPlan.Parse(ctx.LoadNonEmptyString());
            string options = ctx.LoadString();
            int batchSize = reader.ReadInt32();
            if (batchSize < 1)
            {
                throw new InvalidDataException($"Invalid inference batch size {batchSize}.");
            }

            var training = ReadHistory(reader);
            var fineTuning = ReadHistory(reader);
            var pruned = LoadNetwork(ctx, PrunedNetworkEntry);
            CnnNetwork dense;
            WidthStatistics? statistics = null;
            FilterOrder? order = null;
            try
            {
                dense = LoadNetwork(ctx, DenseNetworkEntry);
                try
                {
                    if (ctx.TryLoadBinaryStream(WidthStatisticsEntry, r => statistics = WidthStatistics.Load(r.BaseStream)) && !statistics!.Fits(dense))
                    {
                        throw new InvalidDataException($"The '{WidthStatisticsEntry}' entry does not match the dense network's convs and filter counts.");
                    }

                    if (ctx.TryLoadBinaryStream(FilterOrderEntry, r => order = FilterOrder.Load(r.BaseStream)) && !order!.Fits(dense))
                    {
                        throw new InvalidDataException($"The '{FilterOrderEntry}' entry does not match the dense network's convs and filter counts.");
                    }
                }
                catch
                {
                    dense.Dispose();
                    throw;
                }
            }
            catch
            {
                pruned.Dispose();
                throw;
            }

            return new ElectrostaticCnnTransformer(env, new SharedNetwork(dense, statistics, order), pruned, plan, labels, columns, training, fineTuning, options, batchSize);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or IOException or ArgumentException)
        {
            throw new InvalidDataException($"The ElectrostaticCnn model in '{ctx.Directory}' is corrupt or truncated: {ex.Message}", ex);
        }
    }

    private static void SaveNetwork(BinaryWriter writer, CnnNetwork network)
    {
        writer.Flush();
        NetworkSerializer.Save(network, writer.BaseStream);
    }

    private static CnnNetwork LoadNetwork(ModelLoadContext ctx, string entry)
    {
        CnnNetwork? network = null;
        if (!ctx.TryLoadBinaryStream(entry, r => network = NetworkSerializer.Load(r.BaseStream)))
        {
            throw new InvalidDataException($"The model has no '{entry}' entry.");
        }

        return network!;
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
        int count = reader.ReadInt32();
        if (count < 0 || count > 1_000_000)
        {
            throw new InvalidDataException($"Invalid training history length {count}.");
        }

        var history = new TrainingHistory();
        for (int i = 0; i < count; i++)
        {
            history.Add(EpochMetrics.ReadFrom(reader));
        }

        return history;
    }
}
