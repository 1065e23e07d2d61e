using System.Globalization;
using System.Reflection;
using Microsoft.ML.ElectrostaticPruning.Benchmarks;

// Usage: dotnet run -c Release --project test/Microsoft.ML.ElectrostaticPruning.Benchmarks -- <name> [--quick]
var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t, nonPublic: true)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToDictionary(b => b.Name, StringComparer.Ordinal);

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("Usage: dotnet run -c Release --project test/Microsoft.ML.ElectrostaticPruning.Benchmarks -- <name> [--quick]");
    foreach (var b in benchmarks.Values)
    {
        Console.WriteLine($"  {b.Name,-22} {b.Description}");
    }

    return args.Length == 0 ? 1 : 0;
}

if (!benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine($"Unknown benchmark '{args[0]}'. Expected one of: {string.Join(", ", benchmarks.Keys)}.");
    return 2;
}

Console.WriteLine($"{benchmark.Name}: {benchmark.Description}");
Console.WriteLine($"machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformationText()}, libtorch threads {TorchSharp.torch.get_num_threads()}");
Console.WriteLine(Microsoft.ML.ElectrostaticPruning.ConvolutionKernels.Description);
double ratio = benchmark.Run(new BenchmarkContext(args.Skip(1).ToArray(), Console.Out));
Console.WriteLine($"{benchmark.Name}: {benchmark.Headline(ratio)}");
return 0;

static string CpuModel() =>
    File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";

static string RuntimeInformationText() =>
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";
