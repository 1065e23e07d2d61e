using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

public sealed class ScoringDataViewTests
{
    private static readonly ScoringColumns Columns = new("Features", "Score", "PredictedLabel");
    private readonly MLContext _ml = new(seed: 1);
    private readonly IDataView _data;
    private readonly NetworkScorer _scorer;

    public ScoringDataViewTests()
    {
        // The first 50 test images, in a view that can shuffle (TakeRows could not).
        var (_, _, _, pixels) = IdxFile.ReadImages(RepositoryData.TestImages);
        var labels = IdxFile.ReadLabels(RepositoryData.TestLabels).Take(50).Select(b => (int)b).ToArray();
        _data = new InMemoryImageDataView(pixels[..(50 * 784)], labels, 1, 28, 28, KnownClassNames.FashionMnist, 1f / 255);
        _scorer = new NetworkScorer(TestModels.SmallCnn(new ImageShape(1, 28, 28), 10, 4, 6, seed: 7), 1, 28, 28, 10, CPU);
    }

    [Fact]
    public void BatchedScoresEqualOneForwardPassPerImage()
    {
        var scored = Transform(batchSize: 7); // 50 rows: 7 full batches and one of 1
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var features = _data.GetColumn<float[]>("Features").ToArray();

        Assert.Equal(50, scores.Length);
        for (int i = 0; i < features.Length; i++)
        {
            var expected = new float[10];
            _scorer.Score(features[i], 1, expected);
            Assert.Equal(expected, scores[i], (a, b) => Math.Abs(a - b) < 1e-6f); // batched matmul rounds differently
            Assert.Equal(1.0, scores[i].Sum(), 5);
        }
    }

    [Fact]
    public void PredictedLabelIsTheArgMaxKeyAndPassThroughColumnsStayAligned()
    {
        var scored = Transform(batchSize: 16);
        var rows = scored.GetColumn<float[]>("Score").Zip(scored.GetColumn<uint>("PredictedLabel"), scored.GetColumn<uint>("Label")).ToArray();
        var labels = _data.GetColumn<uint>("Label").ToArray();

        Assert.Equal(labels, rows.Select(r => r.Third));
        Assert.All(rows, r => Assert.Equal((uint)(Array.IndexOf(r.First, r.First.Max()) + 1), r.Second));
    }

    [Fact]
    public void ShuffledCursorsKeepScoresWithTheirRows()
    {
        var scored = Transform(batchSize: 8);
        var byId = ScoresById(scored, rand: null);
        var shuffled = ScoresById(scored, rand: new Random(5));

        Assert.Equal(50, shuffled.Count);
        Assert.NotEqual(byId.Keys, shuffled.Keys); // a different order...
        foreach (var (id, score) in shuffled)
        {
            Assert.Equal(byId[id], score, (a, b) => Math.Abs(a - b) < 1e-6f); // ...with the same score for every row
        }
    }

    [Fact]
    public void OutputSchemaCarriesTheAnnotationsEvaluateAndMapKeyToValueNeed()
    {
        var schema = Transform(batchSize: 4).Schema;

        VBuffer<ReadOnlyMemory<char>> names = default;
        schema["Score"].GetSlotNames(ref names);
        Assert.Equal(KnownClassNames.FashionMnist, names.DenseValues().Select(n => n.ToString()));
        schema["PredictedLabel"].GetKeyValues(ref names);
        Assert.Equal(KnownClassNames.FashionMnist, names.DenseValues().Select(n => n.ToString()));
        ReadOnlyMemory<char> kind = default;
        schema["Score"].Annotations.GetValue("ScoreColumnKind", ref kind);
        Assert.Equal("MulticlassClassification", kind.ToString());
        Assert.Equal(new KeyDataViewType(typeof(uint), 10), schema["PredictedLabel"].Type);

        var metrics = _ml.MulticlassClassification.Evaluate(Transform(batchSize: 4));
        Assert.Equal(10, metrics.ConfusionMatrix.NumberOfClasses);
        Assert.Equal(50, metrics.ConfusionMatrix.Counts.Sum(r => r.Sum()));

        var mapped = _ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(Transform(4)).Transform(Transform(4));
        Assert.All(mapped.GetColumn<string>("PredictedLabel"), name => Assert.Contains(name, KnownClassNames.FashionMnist));
    }

    [Fact]
    public void CacheShuffleAndSkipTakeOverTheScoredViewKeepRowsAndScoresTogether()
    {
        var scored = Transform(batchSize: 8);
        var reference = ScoresById(scored, rand: null);

        var cached = _ml.Data.Cache(scored);
        var shuffled = _ml.Data.ShuffleRows(scored, seed: 11);
        var window = _ml.Data.TakeRows(_ml.Data.SkipRows(scored, 10), 15);

        Assert.Equal(reference.Keys, ScoresById(cached, rand: null).Keys);
        foreach (var view in new[] { cached, shuffled, window })
        {
            foreach (var (id, score) in ScoresById(view, rand: null))
            {
                Assert.Equal(reference[id], score, (a, b) => Math.Abs(a - b) < 1e-6f);
            }
        }

        Assert.Equal(Enumerable.Range(10, 15).Select(i => (ulong)i), ScoresById(window, rand: null).Keys);
        Assert.Equal(50, _ml.Data.CreateEnumerable<ScoredRow>(shuffled, reuseRowObject: false).Count());
    }

    [Fact]
    public void NothingIsScoredWhenNoScoreColumnIsRequested()
    {
        var counting = new CountingScorer();
        var view = new ScoringDataView(_data, Bind(), counting.Scorer, 8);
        Assert.Equal(50, view.GetColumn<uint>("Label").Count());
        Assert.Equal(0, counting.Calls);
    }

    [Fact]
    public void RowMapperScoresTheCurrentRowOnceForBothColumns()
    {
        var binding = Bind();
        var mapper = new ScoringRowMapper(binding, _scorer);
        var output = mapper.OutputSchema;
        Assert.Equal(new[] { binding.FeatureColumn }, mapper.GetDependencies([output["Score"]]));
        Assert.Equal(new[] { binding.InputSchema["Label"] }, mapper.GetDependencies([output["Label"]]));

        var expected = Transform(50).GetColumn<float[]>("Score").ToArray();
        using var cursor = _data.GetRowCursor(_data.Schema);
        using var row = mapper.GetRow(cursor, [output["Score"], output["PredictedLabel"]]);
        var score = row.GetGetter<VBuffer<float>>(output["Score"]);
        VBuffer<float> value = default;
        int i = 0;
        while (cursor.MoveNext())
        {
            score(ref value);
            Assert.Equal(expected[i++], value.DenseValues().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
        }

        Assert.Equal(50, i);
    }

    [Fact]
    public void GettersRejectInactiveColumnsAndWrongTypes()
    {
        var view = Transform(8);
        using var cursor = view.GetRowCursor([view.Schema["Score"]]);
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<uint>(view.Schema["PredictedLabel"]));
        var ex = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(view.Schema["Score"]));
        Assert.Contains("cannot be read as Single", ex.Message);
    }

    private ScoringBinding Bind() =>
        ScoringBinding.Create(_data.Schema, Columns, ClassLabels.FromLabelColumn(_data.Schema["Label"]), 784);

    private ScoringDataView Transform(int batchSize) => new(_data, Bind(), _scorer, batchSize);

    private static Dictionary<ulong, float[]> ScoresById(IDataView view, Random? rand)
    {
        var result = new Dictionary<ulong, float[]>();
        using var cursor = view.GetRowCursor([view.Schema["Score"]], rand);
        var id = cursor.GetIdGetter();
        var score = cursor.GetGetter<VBuffer<float>>(view.Schema["Score"]);
        DataViewRowId rowId = default;
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            id(ref rowId);
            score(ref value);
            result.Add(rowId.Low, value.DenseValues().ToArray());
        }

        return result;
    }

    public sealed class ScoredRow
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    /// <summary>Wraps a network so that forward passes are counted.</summary>
    private sealed class CountingScorer
    {
        public CountingScorer()
        {
            var network = TestModels.SmallCnn(new ImageShape(1, 28, 28), 10, 2, 2, seed: 1);
            network.register_forward_hook((_, _, output) =>
            {
                Calls++;
                return output;
            });
            Scorer = new NetworkScorer(network, 1, 28, 28, 10, CPU);
        }

        public int Calls { get; set; }

        public NetworkScorer Scorer { get; }
    }
}
