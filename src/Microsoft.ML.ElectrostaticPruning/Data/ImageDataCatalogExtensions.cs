namespace Microsoft.ML;

/// <summary>
/// Readers for image data sets: MNIST / Fashion-MNIST IDX files, CIFAR-10 / CIFAR-100 binary files and the
/// "one folder per class" layout. The IDX and CIFAR readers return a <c>Label</c> key column (with the class names as
/// key values, so MapValueToKey is not needed) and a <c>Features</c> column of type <c>Vector&lt;Single, C, H, W&gt;</c>
/// (planar CHW, pixel bytes times <c>scale</c>), ready for <c>ElectrostaticCnn</c>.
/// </summary>
public static class ImageDataCatalogExtensions
{
    /// <summary>Default pixel scale: bytes 0..255 become 0..1, as <c>ExtractPixels(scaleImage: 1f / 255)</c> does.</summary>
    public const float DefaultPixelScale = 1f / 255;

    /// <summary>
    /// Loads an MNIST-format pair of IDX files (images <c>0x00000803</c>, labels <c>0x00000801</c>), raw or gzip-compressed.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="imagesPath">The images file, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="labelsPath">The labels file, e.g. <c>train-labels-idx1-ubyte.gz</c>; must hold as many labels as there are images.</param>
    /// <param name="classNames">Class names in label order (for example <see cref="KnownClassNames.FashionMnist"/>); default "0".."K-1" with K = largest label + 1.</param>
    /// <param name="scale">Multiplier applied to each pixel byte; must be positive and finite. Default 1/255.</param>
    /// <returns>A view with a <c>Label</c> key column and a <c>Features</c> vector of 1 x H x W floats.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not an IDX file of the expected kind, is truncated, the counts differ, or a label has no class name.</exception>
    public static IDataView LoadFromIdxFiles(this DataOperationsCatalog catalog, string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null, float scale = DefaultPixelScale)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (count, height, width, pixels) = IdxFile.ReadImages(imagesPath);
        byte[] labelBytes = IdxFile.ReadLabels(labelsPath);
        if (labelBytes.Length != count)
        {
            throw new InvalidDataException($"IDX files do not match: '{imagesPath}' has {count} images but '{labelsPath}' has {labelBytes.Length} labels.");
        }

        int[] labels = Array.ConvertAll(labelBytes, b => (int)b);
        int classCount = labels.Length == 0 ? 0 : labels.Max() + 1;
        if (classNames is not null && classCount > classNames.Count)
        {
            throw new InvalidDataException($"IDX label file '{labelsPath}' has label {classCount - 1}, but only {classNames.Count} class names were given.");
        }

        return new InMemoryImageDataView(pixels, labels, 1, height, width, classNames ?? ClassNameFiles.Numbered(Math.Max(classCount, 1)), scale);
    }

    /// <summary>
    /// Loads CIFAR-10 or CIFAR-100 binary files (e.g. <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c>, or <c>train.bin</c>), raw or gzip-compressed,
    /// concatenated in the given order.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="paths">One or more binary files of the same format.</param>
    /// <param name="format">Record layout and which label to use. Default <see cref="CifarFormat.Cifar10"/>.</param>
    /// <param name="classNames">Class names in label order; default: <c>batches.meta.txt</c> / <c>fine_label_names.txt</c> / <c>coarse_label_names.txt</c>
    /// beside the first file when present, else the CIFAR-10 names or "0".."K-1".</param>
    /// <param name="scale">Multiplier applied to each pixel byte; must be positive and finite. Default 1/255.</param>
    /// <returns>A view with a <c>Label</c> key column and a <c>Features</c> vector of 3 x 32 x 32 floats (R, G, B planes).</returns>
    /// <exception cref="ArgumentException">No file was given, or the class-name count does not match the format.</exception>
    /// <exception cref="InvalidDataException">A file is not a whole number of records of the format, or holds an out-of-range label.</exception>
    public static IDataView LoadFromCifarBinaryFiles(this DataOperationsCatalog catalog, IEnumerable<string> paths, CifarFormat format = CifarFormat.Cifar10, IReadOnlyList<string>? classNames = null, float scale = DefaultPixelScale)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(paths);
        var files = paths.ToArray();
        if (files.Length == 0)
        {
            throw new ArgumentException("At least one CIFAR binary file is required.", nameof(paths));
        }

        int classes = CifarBinaryFile.ClassCount(format);
        if (classNames is not null && classNames.Count != classes)
        {
            throw new ArgumentException($"{format} has {classes} classes but {classNames.Count} class names were given.", nameof(classNames));
        }

        var parts = files.Select(f => CifarBinaryFile.Read(f, format)).ToArray();
        byte[] pixels = parts.Length == 1 ? parts[0].Pixels : [.. parts.SelectMany(p => p.Pixels)];
        int[] labels = parts.Length == 1 ? parts[0].Labels : [.. parts.SelectMany(p => p.Labels)];
        var names = classNames ?? ClassNameFiles.ForCifar(format, Path.GetDirectoryName(Path.GetFullPath(files[0]))!);
        return new InMemoryImageDataView(pixels, labels, 3, CifarBinaryFile.Side, CifarBinaryFile.Side, names, scale);
    }

    /// <summary>
    /// Lists the images of a "one folder per class" layout (<c>root/&lt;class&gt;/**/*.png|jpg|jpeg|bmp|gif|webp</c>) as rows of
    /// <c>ImagePath</c> (text, the absolute path of the file) and <c>Label</c> (text, the class folder's name), ordered by class
    /// then path. Feed it to <c>MapValueToKey("Label")</c> and <c>LoadImages("Image", imageFolder: null, "ImagePath")</c>:
    /// because the paths are absolute, nothing of the folder is baked into the fitted pipeline, so a model trained on
    /// <c>train/</c> scores the rows of <c>LoadFromImageFolder("test/")</c> (or of any other folder) unchanged.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <returns>A view with the text columns <c>ImagePath</c> and <c>Label</c>.</returns>
    /// <exception cref="DirectoryNotFoundException">The root folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class sub-folder holds an image.</exception>
    public static IDataView LoadFromImageFolder(this DataOperationsCatalog catalog, string root)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var rows = ImageFolderScanner.Scan(root).Select(r => new ImageFolderRow { ImagePath = r.ImagePath, Label = r.Label }).ToArray();
        return catalog.LoadFromEnumerable(rows);
    }
}
