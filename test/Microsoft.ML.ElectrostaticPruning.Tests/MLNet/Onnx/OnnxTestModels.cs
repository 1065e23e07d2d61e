using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Tests.Pruning;
using Microsoft.ML.ElectrostaticPruning.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet.Onnx;

/// <summary>Untrained transformers (random weights, random BatchNorm statistics) and helpers that run an exported model.</summary>
internal static class OnnxTestModels
{
    private const float ClassifierGain = 20f;

    /// <summary>
    /// A transformer over <paramref name="data"/>'s Features/Label columns scoring a seeded random <paramref name="architecture"/>
    /// whose BatchNorms are not the identity (so folding matters), pruned by <paramref name="plan"/> when given, with
    /// <paramref name="normalization"/> as its input normalization; its classifier weights are multiplied by <paramref name="classifierGain"/>.
    /// </summary>
    public static ElectrostaticCnnTransformer Create(MLContext ml, IDataView data, CnnArchitecture architecture, ImageShape shape, string? plan = null, int seed = 1, IReadOnlyList<int>? widths = null, InputNormalization? normalization = null, float classifierGain = ClassifierGain)
    {
        var labels = ClassLabels.FromLabelColumn(data.Schema["Label"]);
        var dense = TestNetworks.CreateWithRandomBatchNorm(architecture, shape, labels.Count, seed, widths);
        dense.InputNormalization = normalization;

        // Default initialisation gives logits near 0, i.e. almost uniform probabilities, where softmax would hide errors in
        // the logits: scale the classifier so that the scores are confident.
        using (TorchSharp.torch.no_grad())
        {
            dense.Classifier.weight.mul_(classifierGain);
        }
        var transformer = new ElectrostaticCnnTransformer(
            (IHostEnvironment)ml, new SharedNetwork(dense), dense.Copy(), PruningPlan.Uniform(0), labels, new ScoringColumns("Features", "Score", "PredictedLabel"),
            new TrainingHistory(), new TrainingHistory(), string.Empty, inferenceBatchSize: 128);
        if (plan is null)
        {
            return transformer;
        }

        // The pruned transformer keeps the shared dense network alive.
        using (transformer)
        {
            return transformer.Prune(PruningPlan.Parse(plan));
        }
    }

    /// <summary>Rows of random pixel vectors with a key label of <paramref name="classes"/> classes.</summary>
    public static IDataView RandomImages(MLContext ml, ImageShape shape, int rows, int classes = 10, int seed = 7)
    {
        var random = new Random(seed);
        var items = Enumerable.Range(0, rows).Select(i => new RandomImage
        {
            Features = Enumerable.Range(0, shape.Size).Select(_ => (float)random.NextDouble()).ToArray(),
            Label = (uint)(i % classes) + 1,
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(RandomImage));
        schema[nameof(RandomImage.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Size);
        schema[nameof(RandomImage.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        return ml.Data.LoadFromEnumerable(items, schema);
    }

    /// <summary>ConvertToOnnx (ML.NET's converter) into memory.</summary>
    public static byte[] Convert(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>The Features column as one row-major array and the row count.</summary>
    public static (float[] Values, int Rows) Features(IDataView data)
    {
        var rows = data.GetColumn<float[]>("Features").ToArray();
        return ([.. rows.SelectMany(r => r)], rows.Length);
    }

    /// <summary>Runs <paramref name="model"/> in ONNX Runtime on the given features; returns Score.output (rows x K) and PredictedLabel.output.</summary>
    public static (float[] Scores, uint[] Labels) RunOnnx(byte[] model, float[] features, int rows, IReadOnlyDictionary<string, NamedOnnxValue>? extraInputs = null)
    {
        using var session = new InferenceSession(model);

        // The input has the Features column's shape: [N, C*H*W] for a flat vector, [N, C, H, W] for a shaped one.
        int[] dims = [.. session.InputMetadata["Features"].Dimensions.Select(d => d < 0 ? rows : d)];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, dims)),
        };
        inputs.AddRange(session.InputMetadata.Keys.Where(k => k != "Features").Select(k => extraInputs?[k] ?? NamedOnnxValue.CreateFromTensor(k, new DenseTensor<uint>(new uint[rows], [rows, 1]))));
        using var results = session.Run(inputs);
        float[] scores = [.. results.Single(r => r.Name == "Score.output").AsTensor<float>()];
        uint[] labels = [.. results.Single(r => r.Name == "PredictedLabel.output").AsTensor<uint>()];
        return (scores, labels);
    }

    /// <summary>Score and PredictedLabel as <c>model.Transform</c> computes them.</summary>
    public static (float[] Scores, uint[] Labels) Transform(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        return ([.. scored.GetColumn<float[]>("Score").SelectMany(s => s)], [.. scored.GetColumn<uint>("PredictedLabel")]);
    }

    /// <summary>The largest absolute difference between two equally long arrays.</summary>
    public static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }

    private sealed class RandomImage
    {
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }
}
