using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet.Onnx;

/// <summary><c>mlContext.Transforms.ApplyOnnxModel</c> on an exported trained model reproduces Evaluate's metrics.</summary>
[Trait("Category", "Slow")]
[Collection(TrainedFashionModelCollection.Name)]
public sealed class ApplyOnnxModelTests(TrainedFashionModel trained)
{
    [Fact]
    public void ApplyOnnxModelOnTheExportedChainReproducesEvaluatesMetrics()
    {
        var ml = trained.Context;
        var test = trained.Test;

        // A pipeline that ends with the ElectrostaticCnn transformer: a key-to-value step, then the trained model.
        var chain = new TransformerChain<ITransformer>(ml.Transforms.Conversion.MapKeyToValue("LabelText", "Label").Fit(test), trained.Model);
        string path = Path.Combine(Path.GetTempPath(), $"ep-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var file = File.Create(path))
            {
                ml.Model.ConvertToOnnx(chain, test, file);
            }

            var expected = ml.MulticlassClassification.Evaluate(chain.Transform(test));
            // ApplyOnnxModel names the columns of the outputs <column>.output after the column again (Score, PredictedLabel),
            // and gives Score its class names back from the graph's slot-names node.
            var onnx = ml.Transforms.ApplyOnnxModel(["Score.output", "PredictedLabel.output"], ["Features", "Label"], path)
                .Fit(test)
                .Transform(test);
            var actual = ml.MulticlassClassification.Evaluate(onnx);
            Assert.Equal(trained.Model.Summary.ClassNames, SlotNames(onnx.Schema["Score"]));

            Assert.Equal(expected.MicroAccuracy, actual.MicroAccuracy, 6);
            Assert.Equal(expected.MacroAccuracy, actual.MacroAccuracy, 6);
            Assert.Equal(expected.LogLoss, actual.LogLoss, 4);
            Assert.Equal(expected.ConfusionMatrix.Counts, actual.ConfusionMatrix.Counts);
            Assert.True(expected.MicroAccuracy > 0.5, $"the trained model should be better than chance: {expected.MicroAccuracy:P1}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }
}
