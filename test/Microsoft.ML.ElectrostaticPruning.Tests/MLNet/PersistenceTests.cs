using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

[Trait("Category", "Slow")]
[Collection(TrainedFashionModelCollection.Name)]
public sealed class PersistenceTests(TrainedFashionModel fixture)
{
    private readonly MLContext _ml = fixture.Context;

    [Fact]
    public void APipelineSavedAndLoadedInThisProcessScoresIdentically()
    {
        using var temp = new TempFolder();
        var pipeline = WithMapKeyToValue(fixture.Model);
        string path = temp.File("model.zip");
        _ml.Model.Save(pipeline, fixture.Train.Schema, path);

        var loaded = _ml.Model.Load(path, out var inputSchema);

        Assert.Equal(fixture.Train.Schema.Select(c => c.Name), inputSchema.Select(c => c.Name));
        Assert.Equal(Scores(pipeline.Transform(fixture.Test)), Scores(loaded.Transform(fixture.Test)));
        Assert.Equal(
            pipeline.Transform(fixture.Test).GetColumn<string>("PredictedLabel"),
            loaded.Transform(fixture.Test).GetColumn<string>("PredictedLabel"));
    }

    [Fact]
    public void AFreshProcessLoadsTheModelWithoutRegistrationAndScoresIdentically()
    {
        using var temp = new TempFolder();
        var pipeline = WithMapKeyToValue(fixture.Model);
        string modelPath = temp.File("model.zip");
        string dataPath = temp.File("test.idv");
        _ml.Model.Save(pipeline, fixture.Train.Schema, modelPath);
        using (var stream = File.Create(dataPath))
        {
            _ml.Data.SaveAsBinary(fixture.Test, stream);
        }

        string[] lines = LoadCheckProcess.Score(modelPath, dataPath);

        var scored = pipeline.Transform(fixture.Test);
        var expected = Scores(scored).Zip(scored.GetColumn<string>("PredictedLabel"))
            .Select(p => string.Join(' ', p.First.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "\t" + p.Second)
            .ToArray();
        Assert.Equal(500, lines.Length);
        Assert.Equal(expected, lines);
    }

    [Fact]
    public void TheLoadedTransformerKeepsSummaryHistoryAndTheDenseNetworkForPrune()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.zip");
        _ml.Model.Save(fixture.Model, fixture.Train.Schema, path);

        using var loaded = Assert.IsType<ElectrostaticCnnTransformer>(_ml.Model.Load(path, out _));

        Assert.Equal(fixture.Model.Summary.ToString(), loaded.Summary.ToString());
        Assert.Equal(fixture.Model.Summary.Training.ToArray(), loaded.Summary.Training.ToArray());
        var plan = PruningPlan.Uniform(0.75);
        Assert.Equal(Scores(fixture.Model.Prune(plan).Transform(fixture.Test)), Scores(loaded.Prune(plan).Transform(fixture.Test)));
    }

    [Fact]
    public void ARoundedPruningSurvivesSaveAndLoad()
    {
        using var temp = new TempFolder();
        string path = temp.File("rounded.zip");
        using var rounded = fixture.Model.Prune(PruningPlan.Parse("0.75 round 16"));
        _ml.Model.Save(rounded, fixture.Train.Schema, path);

        using var loaded = Assert.IsType<ElectrostaticCnnTransformer>(_ml.Model.Load(path, out _));

        Assert.Equal(rounded.Summary.PruningPlan, loaded.Summary.PruningPlan);
        Assert.Equal(rounded.Summary.Layers.Select(l => l.KeptFilters), loaded.Summary.Layers.Select(l => l.KeptFilters));
        Assert.Equal(Scores(rounded.Transform(fixture.Test)), Scores(loaded.Transform(fixture.Test)));
    }

    [Fact]
    public void AMissingModelFileIsNamed()
    {
        // ML.NET opens the file itself: FileNotFoundException, or DirectoryNotFoundException when the folder is missing too.
        var ex = Assert.ThrowsAny<IOException>(() => _ml.Model.Load("/nonexistent/model.zip", out _));
        Assert.Contains("/nonexistent/model.zip", ex.Message);
    }

    [Fact]
    public void ATruncatedModelFileIsRejected()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.zip");
        _ml.Model.Save(fixture.Model, fixture.Train.Schema, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<FormatException>(() => _ml.Model.Load(path, out _));
        Assert.Equal("Failed to open a zip archive", ex.Message);
        Assert.IsType<InvalidDataException>(ex.InnerException);
    }

    [Fact]
    public void AFileThatIsNotAModelIsRejected()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.zip");
        File.WriteAllText(path, "this is not an ML.NET model");

        var ex = Assert.Throws<FormatException>(() => _ml.Model.Load(path, out _));
        Assert.Equal("Failed to open a zip archive", ex.Message);
    }

    [Fact]
    public void ACorruptNetworkEntryIsReportedAsACorruptElectrostaticCnnModel()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.zip");
        _ml.Model.Save(fixture.Model, fixture.Train.Schema, path);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith(ElectrostaticCnnTransformer.PrunedNetworkEntry, StringComparison.Ordinal));
            byte[] content;
            using (var stream = entry.Open())
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                content = copy.ToArray();
            }

            string name = entry.FullName;
            entry.Delete();
            using var replaced = zip.CreateEntry(name).Open();
            replaced.Write(content, 0, content.Length - 100); // truncate the network
        }

        var ex = Assert.ThrowsAny<Exception>(() => _ml.Model.Load(path, out _));
        var ours = Assert.IsType<InvalidDataException>(InnermostWith(ex, "ElectrostaticCnn model"));
        Assert.Contains("is corrupt or truncated", ours.Message);
        Assert.Contains("Truncated network file", ours.Message);
    }

    private ITransformer WithMapKeyToValue(ITransformer model) =>
        new TransformerChain<ITransformer>(model, _ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(model.Transform(fixture.Train)));

    private static float[][] Scores(IDataView view) => view.GetColumn<float[]>("Score").ToArray();

    private static Exception InnermostWith(Exception ex, string text)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains(text, StringComparison.Ordinal))
            {
                return e;
            }
        }

        throw new Xunit.Sdk.XunitException($"No exception in the chain mentions '{text}': {ex}");
    }
}
