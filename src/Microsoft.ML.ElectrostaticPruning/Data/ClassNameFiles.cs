namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>Finds the class-name files that ship beside the CIFAR binary files.</summary>
internal static class ClassNameFiles
{
    /// <summary>
    /// Class names for <paramref name="format"/>: from <c>batches.meta.txt</c> (CIFAR-10) or
    /// <c>fine_label_names.txt</c> / <c>coarse_label_names.txt</c> (CIFAR-100) in <paramref name="folder"/> when present
    /// with the right number of lines; otherwise the CIFAR-10 names or "0".."K-1".
    /// </summary>
    public static IReadOnlyList<string> ForCifar(CifarFormat format, string folder)
    {
        int classes = CifarBinaryFile.ClassCount(format);
        string file = format switch
        {
            CifarFormat.Cifar10 => "batches.meta.txt",
            CifarFormat.Cifar100Fine => "fine_label_names.txt",
            _ => "coarse_label_names.txt",
        };

        string path = Path.Combine(folder, file);
        if (File.Exists(path))
        {
            var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (names.Length == classes)
            {
                return names;
            }
        }

        return format == CifarFormat.Cifar10 ? KnownClassNames.Cifar10 : Numbered(classes);
    }

    /// <summary>"0".."count-1".</summary>
    public static IReadOnlyList<string> Numbered(int count) =>
        Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
