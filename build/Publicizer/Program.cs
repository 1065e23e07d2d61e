using ElectrostaticPruning.Build.Publicizer;

// Usage: Publicizer <list-file> <output-folder> <assembly.dll> [<assembly.dll> ...]
// Writes <output-folder>/<file name of each assembly> with the types and members named in <list-file> made public.
if (args.Length < 3)
{
    Console.Error.WriteLine("Usage: Publicizer <list-file> <output-folder> <assembly.dll> [<assembly.dll> ...]");
    return 2;
}

PublicizeList list;
try
{
    list = PublicizeList.Load(args[0]);
}
catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"Publicizer : error : {ex.Message}");
    return 3;
}

string outputFolder = Path.GetFullPath(args[1]);
Directory.CreateDirectory(outputFolder);
string[] inputs = args[2..];

// Each input may reference the others (OnnxConverter references Core and Data from another package folder).
string[] searchDirectories = [.. inputs.Select(a => Path.GetDirectoryName(Path.GetFullPath(a))!).Distinct(StringComparer.Ordinal)];
var inputNames = inputs.Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);
var strays = list.Entries.Where(e => !inputNames.Contains(e.Assembly)).ToList();
if (strays.Count > 0)
{
    Console.Error.WriteLine($"Publicizer : error : {args[0]} names assemblies that are not publicized: {string.Join("; ", strays)}.");
    return 3;
}

foreach (string input in inputs)
{
    if (!File.Exists(input))
    {
        Console.Error.WriteLine($"Publicizer : error : input assembly '{input}' does not exist.");
        return 3;
    }

    string output = Path.Combine(outputFolder, Path.GetFileName(input));
    try
    {
        var counts = AssemblyPublicizer.Publicize(input, output, list.For(Path.GetFileNameWithoutExtension(input)), searchDirectories);
        Console.WriteLine($"Publicizer: {Path.GetFileName(input)} -> {output} ({counts})");
    }
    catch (InvalidOperationException ex)
    {
        Console.Error.WriteLine($"Publicizer : error : {ex.Message}");
        return 4;
    }
}

return 0;
