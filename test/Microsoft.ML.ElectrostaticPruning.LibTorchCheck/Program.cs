using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using TorchSharp;

// Usage: ELECTROSTATIC_PRUNING_LIBTORCH=<folder> LibTorchCheck [--no-training]
// This application carries no libtorch of its own. It trains SmallCnn for one epoch on 32 synthetic 8x8 images through
// the ML.NET trainer (with --no-training: only adds two tensors), scores them and prints tab-separated lines:
//   folder       LibTorch.Folder
//   version      LibTorch.FolderVersion
//   loaded-from  LibTorch.LoadedFrom
//   mapped       one line per libc10 / libtorch* / libLibTorchSharp file in /proc/self/maps
//   cuda         torch.cuda.is_available()
//   accuracy     micro-accuracy on the training images (not with --no-training)
// Exit code 0 on success; 1 with the error (type initializer wrappers removed) on stderr; 2 without the variable, which
// it refuses to run without (TorchSharp would then copy the NuGet cache's libtorch next to it).
if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(LibTorchVariable.Name)))
{
    Console.Error.WriteLine($"Set {LibTorchVariable.Name} to a libtorch folder.");
    return 2;
}

try
{
    return Check.Run(training: !args.Contains("--no-training"));
}
catch (Exception e)
{
    while (e is TypeInitializationException { InnerException: { } inner })
    {
        e = inner;
    }

    Console.Error.WriteLine($"{e.GetType().FullName}: {e.Message}");
    return 1;
}

/// <summary>The variable's name, kept out of the library so that reading it does not run the library's module initializer.</summary>
internal static class LibTorchVariable
{
    public const string Name = "ELECTROSTATIC_PRUNING_LIBTORCH";
}

/// <summary>The check, in a method of its own so that the library's first use (and its module initializer) happens inside the try.</summary>
internal static class Check
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(bool training)
    {
        if (!training)
        {
            using var sum = torch.ones(3) + torch.ones(3);
            Report();
            return sum.sum().item<float>() == 6f ? 0 : 3;
        }

        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), 2);
        var rows = Enumerable.Range(0, 32)
            .Select(i => new Row { Features = Enumerable.Range(0, 64).Select(p => (i % 2 == 0 ? p % 8 : p / 8) / 8f).ToArray(), Label = (uint)(i % 2) })
            .ToArray();
        var data = ml.Data.LoadFromEnumerable(rows, schema);

        var model = ml.MulticlassClassification.Trainers.ElectrostaticCnn(new ElectrostaticCnnTrainer.Options { Epochs = 1, BatchSize = 8, Seed = 1 }).Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Report();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy\t{metrics.MicroAccuracy:R}"));
        model.Dispose();
        return 0;
    }

    private static void Report()
    {
        Console.WriteLine($"folder\t{LibTorch.Folder}");
        Console.WriteLine($"version\t{LibTorch.FolderVersion}");
        Console.WriteLine($"loaded-from\t{LibTorch.LoadedFrom}");
        foreach (var path in File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? line[slash..] : string.Empty)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("libc10", StringComparison.Ordinal) || name.StartsWith("libtorch", StringComparison.Ordinal) || name == "libLibTorchSharp.so"))
            .Distinct(StringComparer.Ordinal))
        {
            Console.WriteLine($"mapped\t{path}");
        }

        Console.WriteLine($"cuda\t{torch.cuda.is_available()}");
    }

    private sealed class Row
    {
        [VectorType(64)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }
}
