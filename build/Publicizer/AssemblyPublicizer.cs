using Mono.Cecil;

namespace ElectrostaticPruning.Build.Publicizer;

/// <summary>
/// Rewrites visibility in an assembly so that a compiler sees the listed internal types and members as public.
/// The copy is a compile-time reference only: at run time the real assembly is loaded and
/// <c>IgnoresAccessChecksToAttribute</c> in the consuming assembly lets the JIT accept the calls.
/// </summary>
internal static class AssemblyPublicizer
{
    /// <summary>
    /// Reads <paramref name="input"/>, publicizes the <paramref name="entries"/> (all of which must name this
    /// assembly) and writes the result atomically to <paramref name="output"/>. A listed member also makes its
    /// declaring types public. Throws <see cref="InvalidOperationException"/> naming every entry that matches nothing.
    /// </summary>
    /// <param name="input">The assembly to publicize.</param>
    /// <param name="output">Where the publicized copy is written.</param>
    /// <param name="entries">What to make public.</param>
    /// <param name="searchDirectories">
    /// More folders where the assemblies <paramref name="input"/> references are found (besides its own folder), e.g. those of the
    /// other assemblies publicized together: Microsoft.ML.OnnxConverter's package does not hold the Microsoft.ML.Core it references.
    /// </param>
    public static PublicizeCounts Publicize(string input, string output, IEnumerable<PublicizeEntry> entries, IEnumerable<string>? searchDirectories = null)
    {
        using var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
        foreach (string directory in (searchDirectories ?? []).Distinct(StringComparer.Ordinal))
        {
            resolver.AddSearchDirectory(directory);
        }

        // InMemory: the input file is not kept open, so output may live anywhere (even replace the input).
        using var assembly = AssemblyDefinition.ReadAssembly(
            input,
            new ReaderParameters { AssemblyResolver = resolver, InMemory = true, ReadingMode = ReadingMode.Immediate });

        var types = assembly.Modules.SelectMany(m => m.GetTypes()).ToDictionary(t => t.FullName, StringComparer.Ordinal);
        var missing = new List<string>();
        var counts = new PublicizeCounts();
        foreach (var entry in entries)
        {
            if (!types.TryGetValue(entry.CecilTypeName, out var type))
            {
                missing.Add($"{entry} (no type {entry.TypeName})");
                continue;
            }

            MakePublicWithDeclaringTypes(type, counts);
            if (entry.Member is not null && !MakeMemberPublic(type, entry.Member, counts))
            {
                missing.Add($"{entry} (no member {entry.Member} in {entry.TypeName})");
            }
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(input)} lacks {missing.Count} listed internal(s): {string.Join("; ", missing)}. " +
                "Did the ML.NET version change? Update the list (build/PublicizedMlNetInternals.txt) and the code that uses them.");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(output)}.{Environment.ProcessId}.tmp");
        try
        {
            assembly.Write(temp);
            File.Move(temp, output, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        return counts;
    }

    private static void MakePublicWithDeclaringTypes(TypeDefinition type, PublicizeCounts counts)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            counts.Types += MakePublic(t) ? 1 : 0;
        }
    }

    /// <summary>Publicizes every method, property, event and field of <paramref name="type"/> named <paramref name="name"/>.</summary>
    private static bool MakeMemberPublic(TypeDefinition type, string name, PublicizeCounts counts)
    {
        bool found = false;
        foreach (var method in type.Methods.Where(m => m.Name == name))
        {
            counts.Methods += MakePublic(method) ? 1 : 0;
            found = true;
        }

        foreach (var property in type.Properties.Where(p => p.Name == name))
        {
            foreach (var accessor in new[] { property.GetMethod, property.SetMethod }.OfType<MethodDefinition>())
            {
                counts.Methods += MakePublic(accessor) ? 1 : 0;
            }

            found = true;
        }

        foreach (var @event in type.Events.Where(e => e.Name == name))
        {
            foreach (var accessor in new[] { @event.AddMethod, @event.RemoveMethod }.OfType<MethodDefinition>())
            {
                counts.Methods += MakePublic(accessor) ? 1 : 0;
            }

            found = true;
        }

        // A field-like event's private backing field shares the event's name: publishing it would make every use of
        // the event ambiguous (CS0229), so a name that is an event never publishes a field.
        if (!type.Events.Any(e => e.Name == name))
        {
            foreach (var field in type.Fields.Where(f => f.Name == name))
            {
                if (!field.IsPublic)
                {
                    field.IsPublic = true;
                    counts.Fields++;
                }

                found = true;
            }
        }

        return found;
    }

    private static bool MakePublic(TypeDefinition type)
    {
        if (type.IsNested)
        {
            if (type.IsNestedPublic)
            {
                return false;
            }

            type.IsNestedPublic = true;
            return true;
        }

        if (type.IsPublic)
        {
            return false;
        }

        type.IsPublic = true;
        return true;
    }

    /// <summary>
    /// Overridable members keep a visibility that a C# override in another assembly can repeat: an override
    /// must not change the accessibility it sees (CS0507), so protected stays protected and
    /// internal/private protected become protected. Everything else becomes public.
    /// </summary>
    private static bool MakePublic(MethodDefinition method)
    {
        bool overridable = method.IsVirtual && !method.IsFinal && !method.DeclaringType.IsInterface;
        if (overridable)
        {
            if (method.IsFamily || method.IsFamilyOrAssembly || method.IsPublic)
            {
                return false;
            }

            method.IsFamily = true;
            return true;
        }

        if (method.IsPublic)
        {
            return false;
        }

        method.IsPublic = true;
        return true;
    }
}
