using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ElectrostaticPruning.Samples.Examples;

/// <summary>
/// Export a pruned model with <c>mlContext.Model.ExportToOnnx</c> (the pruned network, BatchNorm folded, class names as
/// metadata) and score it with ONNX Runtime alone, without ML.NET or TorchSharp.
/// </summary>
public static class OnnxExportWithOnnxRuntime
{
    /// <summary>Trains a small model, exports it to <paramref name="onnxPath"/>, and returns the largest difference between the ONNX Runtime and ML.NET probabilities.</summary>
    /// <param name="dataFolder">A folder with the Fashion-MNIST IDX files (the repository's data/fashion-mnist).</param>
    /// <param name="onnxPath">Where the .onnx file is written.</param>
    public static double Example(string dataFolder, string onnxPath)
    {
        var mlContext = new MLContext(seed: 1);
        IDataView Load(string split, int rows) => mlContext.Data.TakeRows(
            mlContext.Data.LoadFromIdxFiles(Path.Combine(dataFolder, $"{split}-images-idx3-ubyte.gz"), Path.Combine(dataFolder, $"{split}-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist),
            rows);
        var train = Load("train", 600);
        var test = Load("t10k", 8);
        using var model = mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(epochs: 2, batchSize: 50, learningRateSchedule: "0:0.02").Fit(train);

        using (var file = File.Create(onnxPath))
        {
            mlContext.Model.ExportToOnnx(model, train, file, opSetVersion: 13, "Score", "PredictedLabel");
        }

        // ONNX Runtime: input 'Features' [N, 1, 28, 28] (planar CHW pixels, scaled as in training), output 'Score.output' [N, 10].
        float[][] images = [.. test.GetColumn<float[]>("Features")];
        using var session = new InferenceSession(onnxPath);
        var classes = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap[ElectrostaticOnnxMetadata.ClassNames])!;
        int[] shape = [.. session.InputMetadata["Features"].Dimensions.Select(d => d < 0 ? images.Length : d)];
        var input = NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(images.SelectMany(i => i).ToArray(), shape));
        using var results = session.Run([input]);
        float[] onnxScores = [.. results.First(r => r.Name == "Score.output").AsTensor<float>()];

        float[] mlnetScores = [.. model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s)];
        var difference = onnxScores.Zip(mlnetScores, (a, b) => Math.Abs(a - b)).Max();
        var first = onnxScores[..classes.Length];
        Console.WriteLine($"First test image: {classes[Array.IndexOf(first, first.Max())]} ({first.Max():P1}); ONNX Runtime and ML.NET differ by at most {difference:G2}");
        return difference;
    }
}
