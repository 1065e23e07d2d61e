using ElectrostaticPruning.Build.Publicizer;

// Usage: Publicizer <output-folder> <assembly.dll> [<assembly.dll> ...]
// Writes <output-folder>/<file name of each assembly> with every type and member made public.
if (args.Length < 2)
{
    Console.Error.WriteLine("Usage: Publicizer <output-folder> <assembly.dll> [<assembly.dll> ...]");
    return 2;
}

string outputFolder = Path.GetFullPath(args[0]);
Directory.CreateDirectory(outputFolder);

// Each input may reference the others (OnnxConverter references Core and Data from another package folder).
string[] searchDirectories = [.. args.Skip(1).Select(a => Path.GetDirectoryName(Path.GetFullPath(a))!).Distinct(StringComparer.Ordinal)];
foreach (string input in args.Skip(1))
{
    if (!File.Exists(input))
    {
        Console.Error.WriteLine($"Publicizer: input assembly '{input}' does not exist.");
        return 3;
    }

    string output = Path.Combine(outputFolder, Path.GetFileName(input));
    var counts = AssemblyPublicizer.Publicize(input, output, searchDirectories);
    Console.WriteLine($"Publicizer: {Path.GetFileName(input)} -> {output} ({counts})");
}

return 0;
