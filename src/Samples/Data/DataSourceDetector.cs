using System.Text.RegularExpressions;

namespace ElectrostaticPruning.Samples.Data;

/// <summary>Recognises what <c>--data</c> points at: IDX files, CIFAR binaries or a folder-per-class image tree.</summary>
internal static partial class DataSourceDetector
{
    private static readonly string[] TestSplitNames = ["test", "val", "validation"];

    /// <summary>
    /// Inspects <paramref name="path"/> (and, for downloaded archives such as <c>cifar-10-batches-bin</c>, its only
    /// data-bearing subfolder) and returns the data set found there.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty or is a file.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no recognisable data set, or an incomplete one.</exception>
    public static DataSource Detect(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("--data must name a folder.", nameof(path));
        }

        var root = Path.GetFullPath(path);
        if (File.Exists(root))
        {
            throw new ArgumentException($"--data must be a folder, but '{path}' is a file; point at the folder that contains it.", nameof(path));
        }

        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"--data folder '{path}' does not exist.");
        }

        var found = TryBinary(root, root);
        if (found is not null)
        {
            return found;
        }

        // Archives unpack into one subfolder (cifar-10-batches-bin, cifar-100-binary): look one level down.
        var nested = Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal)
            .Select(folder => TryBinary(root, folder)).OfType<DataSource>().ToList();
        if (nested.Count == 1)
        {
            return nested[0];
        }

        if (nested.Count > 1)
        {
            throw new InvalidDataException(
                $"--data folder '{path}' holds several data sets ({string.Join(", ", nested.Select(n => FolderOf(n)))}); point at one of them.");
        }

        return TryImageFolders(root)
            ?? throw new InvalidDataException(
                $"--data folder '{path}' holds no recognisable data set: expected IDX files (train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz]), " +
                "CIFAR binaries (data_batch_*.bin + test_batch.bin, or train.bin + test.bin) or one subfolder of images per class.");
    }

    private static string FolderOf(DataSource source) => source switch
    {
        IdxDataSource idx => Path.GetDirectoryName(idx.TrainImages)!,
        CifarDataSource cifar => Path.GetDirectoryName(cifar.TrainFiles[0])!,
        _ => source.Root,
    };

    private static DataSource? TryBinary(string root, string folder) => (DataSource?)TryIdx(root, folder) ?? TryCifar(root, folder);

    private static IdxDataSource? TryIdx(string root, string folder)
    {
        var images = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var labels = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var match = IdxFilePattern().Match(name);
            if (!match.Success)
            {
                continue;
            }

            var prefix = match.Groups["prefix"].Value;
            var target = match.Groups["kind"].Value.Equals("images", StringComparison.OrdinalIgnoreCase) ? images : labels;

            // Prefer the uncompressed file when both exist: it reads faster and is what a user unpacked on purpose.
            if (!target.TryGetValue(prefix, out var existing) || existing.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                target[prefix] = file;
            }
        }

        if (images.Count == 0)
        {
            return null;
        }

        foreach (var prefix in images.Keys)
        {
            if (!labels.ContainsKey(prefix))
            {
                throw new InvalidDataException(
                    $"--data: '{Path.GetFileName(images[prefix])}' has no labels file; expected '{prefix}-labels-idx1-ubyte[.gz]' beside it.");
            }
        }

        var trainPrefix = images.Keys.FirstOrDefault(p => p.Contains("train", StringComparison.OrdinalIgnoreCase));
        var testPrefix = images.Keys.FirstOrDefault(p =>
            p.Equals("t10k", StringComparison.OrdinalIgnoreCase) || p.Contains("test", StringComparison.OrdinalIgnoreCase));
        if (trainPrefix is null)
        {
            if (images.Count != 1 || testPrefix is not null)
            {
                throw new InvalidDataException(
                    $"--data folder '{folder}' has IDX files but no training split; expected 'train-images-idx3-ubyte[.gz]'.");
            }

            // A single unnamed split (e.g. 'emnist-images-idx3-ubyte') is taken as training data.
            trainPrefix = images.Keys.Single();
        }

        return new IdxDataSource(
            root,
            images[trainPrefix],
            labels[trainPrefix],
            testPrefix is null ? null : images[testPrefix],
            testPrefix is null ? null : labels[testPrefix]);
    }

    private static CifarDataSource? TryCifar(string root, string folder)
    {
        var batches = Directory.EnumerateFiles(folder, "data_batch_*.bin")
            .Select(file => (file, match: CifarBatchPattern().Match(Path.GetFileName(file))))
            .Where(x => x.match.Success)
            .OrderBy(x => int.Parse(x.match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Select(x => x.file)
            .ToList();
        if (batches.Count > 0)
        {
            var test = Path.Combine(folder, "test_batch.bin");
            return new CifarDataSource(root, IsCifar100: false, batches, File.Exists(test) ? [test] : []);
        }

        var train = Path.Combine(folder, "train.bin");
        if (File.Exists(train))
        {
            var test = Path.Combine(folder, "test.bin");
            return new CifarDataSource(root, IsCifar100: true, [train], File.Exists(test) ? [test] : []);
        }

        return null;
    }

    private static ImageFolderDataSource? TryImageFolders(string root)
    {
        var train = Path.Combine(root, "train");
        var test = TestSplitNames.Select(name => Path.Combine(root, name)).FirstOrDefault(Directory.Exists);
        if (Directory.Exists(train) && test is not null)
        {
            var classes = ClassFolders(train);
            if (classes.Count == 0)
            {
                throw new InvalidDataException($"--data: '{train}' has no class subfolders with images.");
            }

            var testClasses = ClassFolders(test);
            var unknown = testClasses.Except(classes, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidDataException(
                    $"--data: '{test}' has class folders that training data lacks: {string.Join(", ", unknown)}.");
            }

            return Validated(new ImageFolderDataSource(root, train, test, classes));
        }

        var single = ClassFolders(root);
        return single.Count == 0 ? null : Validated(new ImageFolderDataSource(root, root, null, single));
    }

    private static ImageFolderDataSource Validated(ImageFolderDataSource source)
    {
        if (source.ClassNames.Count < 2)
        {
            throw new InvalidDataException(
                $"--data: '{source.TrainFolder}' has images for only one class ('{source.ClassNames[0]}'); a classifier needs at least two class folders.");
        }

        return source;
    }

    private static List<string> ClassFolders(string folder) =>
        Directory.EnumerateDirectories(folder)
            .Where(dir => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Any(file => ImageFolderDataSource.ImageExtensions.Contains(Path.GetExtension(file))))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    [GeneratedRegex(@"^(?<prefix>.+?)-(?<kind>images|labels)[-.]idx[13]-ubyte(\.gz)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IdxFilePattern();

    [GeneratedRegex(@"^data_batch_(?<n>\d+)\.bin$", RegexOptions.CultureInvariant)]
    private static partial Regex CifarBatchPattern();
}
