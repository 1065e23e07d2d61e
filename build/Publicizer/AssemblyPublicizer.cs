using Mono.Cecil;

namespace ElectrostaticPruning.Build.Publicizer;

/// <summary>
/// Rewrites visibility in an assembly so that a compiler sees every type and member as public.
/// The copy is a compile-time reference only: at run time the real assembly is loaded and
/// <c>IgnoresAccessChecksToAttribute</c> in the consuming assembly lets the JIT accept the calls.
/// </summary>
internal static class AssemblyPublicizer
{
    private const string EmbeddedAttribute = "Microsoft.CodeAnalysis.EmbeddedAttribute";
    private const string CompilerGeneratedAttribute = "System.Runtime.CompilerServices.CompilerGeneratedAttribute";

    /// <summary>Reads <paramref name="input"/>, publicizes it and writes it atomically to <paramref name="output"/>.</summary>
    /// <param name="input">The assembly to publicize.</param>
    /// <param name="output">Where the publicized copy is written.</param>
    /// <param name="searchDirectories">
    /// More folders where the assemblies <paramref name="input"/> references are found (besides its own folder), e.g. those of the
    /// other assemblies publicized together: Microsoft.ML.OnnxConverter's package does not hold the Microsoft.ML.Core it references.
    /// </param>
    public static PublicizeCounts Publicize(string input, string output, IEnumerable<string>? searchDirectories = null)
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

        int types = 0, methods = 0, fields = 0;
        foreach (var module in assembly.Modules)
        {
            foreach (var type in module.GetTypes())
            {
                if (IsCompilerOwned(type))
                {
                    continue;
                }

                types += MakePublic(type) ? 1 : 0;
                foreach (var method in type.Methods)
                {
                    methods += MakePublic(method) ? 1 : 0;
                }

                // A field-like event has a private backing field with the event's own name; publishing it
                // would make every use of the event ambiguous (CS0229).
                var eventNames = type.Events.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var field in type.Fields)
                {
                    if (!eventNames.Contains(field.Name) && !field.IsPublic)
                    {
                        field.IsPublic = true;
                        fields++;
                    }
                }
            }
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

        return new PublicizeCounts(types, methods, fields);
    }

    /// <summary>
    /// Compiler-synthesised types (<c>&lt;Module&gt;</c>, closures, embedded attributes such as
    /// <c>NullableAttribute</c>) stay as they are: publishing the embedded attributes would clash with the
    /// consumer's own copies.
    /// </summary>
    private static bool IsCompilerOwned(TypeDefinition type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            if (t.Name.StartsWith('<') || t.FullName == EmbeddedAttribute || HasAttribute(t, EmbeddedAttribute) || HasAttribute(t, CompilerGeneratedAttribute))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasAttribute(ICustomAttributeProvider provider, string fullName) =>
        provider.HasCustomAttributes && provider.CustomAttributes.Any(a => a.AttributeType.FullName == fullName);

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
