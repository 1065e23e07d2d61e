// The package consumer check (build/consumer-check.sh): the README's image pipeline through the packed library's
// public API only.
//   PackageConsumer <folder>                       writes folder-per-class PNG trees <folder>/images/train and
//                                                  <folder>/images/test, trains SmallCnn for 1 epoch on train,
//                                                  evaluates on test, saves model.zip, then loads it in a fresh process
//   PackageConsumer --load <model.zip> <images>    loads the model and prints its metrics on the test tree
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;
using Microsoft.ML.Transforms.Image;
using SkiaSharp;

if (args is ["--load", var modelPath, var testRoot])
{
    var context = new MLContext(seed: 1);
    var loaded = context.Model.Load(modelPath, out _);
    Console.WriteLine(Metrics(context, loaded, context.Data.LoadFromImageFolder(testRoot)));
    return 0;
}

string folder = Path.GetFullPath(args[0]);
string trainImages = WriteImages(Path.Combine(folder, "images", "train"), perClass: 36, seed: 1);
string testImages = WriteImages(Path.Combine(folder, "images", "test"), perClass: 12, seed: 2);

var mlContext = new MLContext(seed: 1);
// Separate trees: the paths are absolute, so the pipeline fitted on train/ scores test/.
var split = (TrainSet: mlContext.Data.LoadFromImageFolder(trainImages), TestSet: mlContext.Data.LoadFromImageFolder(testImages));
var options = new ElectrostaticCnnTrainer.Options
{
    Architecture = CnnArchitecture.SmallCnn,
    ImageShape = new ImageShape(1, 28, 28),
    Epochs = 1,
    BatchSize = 16,
    LearningRateSchedule = LearningRateSchedule.Parse("0:0.01"),
    Regularizer = new FoldedForceRegularizer.Options { ForceRate = 1e-11 },
    PruningPlan = PruningPlan.Uniform(0.5),
    ProgressCallback = m => Console.WriteLine(m),
};

var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(mlContext.Transforms.LoadImages("Image", imageFolder: null, "ImagePath"))
    .Append(mlContext.Transforms.ResizeImages("Image", 28, 28))
    .Append(mlContext.Transforms.ExtractPixels("Features", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
    .Append(mlContext.MulticlassClassification.Trainers.ElectrostaticCnn(options))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var model = pipeline.Fit(split.TrainSet);
string metrics = Metrics(mlContext, model, split.TestSet);
Console.WriteLine(model.OfType<ElectrostaticCnnTransformer>().Single().Summary);
Console.WriteLine(metrics);

string modelZip = Path.Combine(folder, "model.zip");
mlContext.Model.Save(model, split.TrainSet.Schema, modelZip);

// A fresh process (no registration call) must load the model and reproduce the metrics.
var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
foreach (string arg in new[] { typeof(Program).Assembly.Location, "--load", modelZip, testImages })
{
    start.ArgumentList.Add(arg);
}

using var child = Process.Start(start)!;
string childOutput = child.StandardOutput.ReadToEnd();
child.WaitForExit();
Console.WriteLine($"fresh process: {childOutput.Trim()}");
if (child.ExitCode != 0 || childOutput.Trim() != metrics)
{
    Console.Error.WriteLine($"error: the fresh process (exit code {child.ExitCode}) did not reproduce '{metrics}'.");
    return 1;
}

return 0;

static string Metrics(MLContext context, ITransformer model, IDataView data)
{
    var m = context.MulticlassClassification.Evaluate(model.Transform(data));
    return $"metrics: micro-accuracy {m.MicroAccuracy:F4}, macro-accuracy {m.MacroAccuracy:F4}, log-loss {m.LogLoss:F4}";
}

// Two classes of 28x28 grayscale PNGs: horizontal and vertical stripes with noise.
static string WriteImages(string root, int perClass, int seed)
{
    var random = new Random(seed);
    foreach (var (name, vertical) in new[] { ("horizontal", false), ("vertical", true) })
    {
        Directory.CreateDirectory(Path.Combine(root, name));
        for (int i = 0; i < perClass; i++)
        {
            using var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque);
            int phase = random.Next(7);
            for (int y = 0; y < 28; y++)
            {
                for (int x = 0; x < 28; x++)
                {
                    int stripe = ((vertical ? x : y) + phase) % 7 < 3 ? 200 : 40;
                    byte v = (byte)Math.Clamp(stripe + random.Next(-40, 41), 0, 255);
                    bitmap.SetPixel(x, y, new SKColor(v, v, v));
                }
            }

            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(root, name, $"{i:D3}.png"), png.ToArray());
        }
    }

    return root;
}
