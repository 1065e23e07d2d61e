using System.Globalization;
using ElectrostaticPruning.Samples.Cli.Settings;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning;
using Microsoft.ML.Transforms.Image;

namespace ElectrostaticPruning.Samples.Data;

/// <summary>Reads a detected <see cref="DataSource"/> through the library's ML.NET readers into train and test views.</summary>
internal static class DataLoader
{
    /// <summary>Loads <paramref name="source"/>, applies the limits of <paramref name="settings"/> and holds out a test split if needed.</summary>
    public static LoadedData Load(MLContext mlContext, DataSource source, DataSettings settings)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);
        var (train, test, name) = source switch
        {
            IdxDataSource idx => LoadIdx(mlContext, idx),
            CifarDataSource cifar => LoadCifar(mlContext, cifar),
            ImageFolderDataSource folders => LoadImageFolders(mlContext, folders, settings),
            _ => throw new NotSupportedException($"Unsupported data source {source.GetType().Name}."),
        };

        if (test is null)
        {
            var split = mlContext.Data.TrainTestSplit(train, settings.TestFraction, seed: settings.Seed);
            (train, test) = (split.TrainSet, split.TestSet);
        }

        if (settings.TrainLimit > 0)
        {
            train = mlContext.Data.TakeRows(train, settings.TrainLimit);
        }

        if (settings.TestLimit > 0)
        {
            test = mlContext.Data.TakeRows(test, settings.TestLimit);
        }

        var features = train.Schema[ColumnNames.Features];
        var vector = (VectorDataViewType)features.Type;
        var shape = vector.Dimensions.Length == 3
            ? new ImageShape(vector.Dimensions[0], vector.Dimensions[1], vector.Dimensions[2])
            : throw new InvalidDataException($"--data: the feature column is {vector}, not a C x H x W image vector.");
        var classNames = KeyNames(train.Schema[ColumnNames.Label]);
        var trainCount = Count(train);
        var testCount = Count(test);
        if (trainCount == 0)
        {
            throw new InvalidDataException($"--data '{source.Root}' has no training images{(settings.TrainLimit > 0 ? " within --train-limit" : string.Empty)}.");
        }

        if (testCount == 0)
        {
            throw new InvalidDataException($"--data '{source.Root}' has no test images{(settings.TestLimit > 0 ? " within --test-limit" : string.Empty)}.");
        }

        var description = string.Create(CultureInfo.InvariantCulture,
            $"{name} at {source.Root}: {trainCount:N0} train / {testCount:N0} test images, {shape}, {classNames.Count} classes");
        return new LoadedData(train, test, trainCount, testCount, shape, classNames, description);
    }

    private static (IDataView Train, IDataView? Test, string Name) LoadIdx(MLContext mlContext, IdxDataSource source)
    {
        // Fashion-MNIST and MNIST share the file format; only the class names tell them apart.
        var fashion = source.Root.Contains("fashion", StringComparison.OrdinalIgnoreCase);
        var names = fashion ? KnownClassNames.FashionMnist : KnownClassNames.Mnist;
        var train = mlContext.Data.LoadFromIdxFiles(source.TrainImages, source.TrainLabels, names);
        var test = source.TestImages is null ? null : mlContext.Data.LoadFromIdxFiles(source.TestImages, source.TestLabels!, names);
        return (train, test, fashion ? "Fashion-MNIST (IDX)" : "MNIST-style IDX");
    }

    private static (IDataView Train, IDataView? Test, string Name) LoadCifar(MLContext mlContext, CifarDataSource source)
    {
        var format = source.IsCifar100 ? CifarFormat.Cifar100Fine : CifarFormat.Cifar10;
        var train = mlContext.Data.LoadFromCifarBinaryFiles(source.TrainFiles, format);
        var test = source.TestFiles.Count == 0 ? null : mlContext.Data.LoadFromCifarBinaryFiles(source.TestFiles, format);
        return (train, test, source.FormatName);
    }

    private static (IDataView Train, IDataView? Test, string Name) LoadImageFolders(MLContext mlContext, ImageFolderDataSource source, DataSettings settings)
    {
        var size = settings.ImageSize ?? DataSettings.DefaultImageSize;
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.LoadImages("Image", imageFolder: null, "ImagePath"))
            .Append(mlContext.Transforms.ResizeImages("Image", size, size))
            .Append(mlContext.Transforms.ExtractPixels(
                "Features",
                "Image",
                settings.Grayscale ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb,
                scaleImage: 1f / 255));
        var trainRows = mlContext.Data.LoadFromImageFolder(source.TrainFolder);
        var preprocessing = pipeline.Fit(trainRows);

        // Decoding images is the slow part; cache the pixels so the sweep's repeated evaluations do not decode again.
        var train = mlContext.Data.Cache(preprocessing.Transform(trainRows), "Label", "Features");
        IDataView? test = null;
        if (source.TestFolder is not null)
        {
            // Absolute image paths: the pipeline fitted on the training folder scores the test folder as it is, with the
            // training classes' label keys.
            var testRows = mlContext.Data.LoadFromImageFolder(source.TestFolder);
            test = mlContext.Data.Cache(preprocessing.Transform(testRows), "Label", "Features");
        }

        return (train, test, "image folders");
    }

    private static IReadOnlyList<string> KeyNames(DataViewSchema.Column label)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
        {
            var count = label.Type is KeyDataViewType key ? (int)key.Count : 0;
            return [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        }

        label.GetKeyValues(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    private static int Count(IDataView view)
    {
        if (view.GetRowCount() is { } known)
        {
            return checked((int)known);
        }

        var count = 0;
        using var cursor = view.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            count++;
        }

        return count;
    }
}
