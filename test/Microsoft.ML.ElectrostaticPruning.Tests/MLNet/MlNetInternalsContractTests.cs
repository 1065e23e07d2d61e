using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// Model persistence compiles against publicized copies of ML.NET's internals (build/Publicizer.targets). These tests fail
/// as soon as an ML.NET update moves or changes any member the library relies on.
/// </summary>
public sealed class MlNetInternalsContractTests
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
    private static readonly Assembly Core = typeof(IHostEnvironment).Assembly;

    [Fact]
    public void OnlyTheMLNetFolderUsesTheInternalTypesTheLibraryOpens()
    {
        // Every internal ML.NET type build/PublicizedMlNetInternals.txt opens whole ("Assembly!Namespace.Type", no member):
        // its simple name may appear in the library's sources under MLNet/ only.
        string root = Path.GetFullPath(Path.Combine(Data.RepositoryData.FashionMnistFolder, "..", ".."));
        string[] types = [.. File.ReadAllLines(Path.Combine(root, "build", "PublicizedMlNetInternals.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.Contains("::", StringComparison.Ordinal))
            .Select(l => l[(l.LastIndexOf('.') + 1)..].Split('+')[^1])];
        Assert.Contains("ModelLoadContext", types);
        string library = Path.Combine(root, "src", "Microsoft.ML.ElectrostaticPruning");
        var outside = Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !Path.GetRelativePath(library, f).StartsWith($"MLNet{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => types.Where(t => System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(f), $@"\b{t}\b")).Select(t => $"{Path.GetRelativePath(library, f)}: {t}"))
            .ToList();
        Assert.True(outside.Count == 0, $"ML.NET internals used outside MLNet/: {string.Join("; ", outside)}");
    }

    [Fact]
    public void MlNetIsVersion5Point0()
    {
        foreach (var assembly in new[] { Core, typeof(MLContext).Assembly })
        {
            string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            Assert.NotNull(version);
            Assert.StartsWith("5.0.", version);
        }
    }

    [Fact]
    public void ModelSaveContextHasTheMembersTheTransformerWrites()
    {
        var type = CoreType("Microsoft.ML.ModelSaveContext");
        Assert.Equal(typeof(BinaryWriter), type.GetField("Writer", All)?.FieldType);
        RequireMethod(type, "CheckAtModel");
        RequireMethod(type, "SetVersionInfo", CoreType("Microsoft.ML.VersionInfo"));
        RequireMethod(type, "SaveBinaryStream", typeof(string), typeof(Action<BinaryWriter>));
        RequireMethod(type, "SaveNonEmptyString", typeof(string));
        RequireMethod(type, "SaveString", typeof(string));
    }

    [Fact]
    public void ModelLoadContextHasTheMembersTheLoaderReads()
    {
        var type = CoreType("Microsoft.ML.ModelLoadContext");
        Assert.Equal(typeof(BinaryReader), type.GetField("Reader", All)?.FieldType);
        Assert.Equal(typeof(string), type.GetField("Directory", All)?.FieldType);
        RequireMethod(type, "CheckAtModel", CoreType("Microsoft.ML.VersionInfo"));
        RequireMethod(type, "TryLoadBinaryStream", typeof(string), typeof(Action<BinaryReader>));
        Assert.Equal(typeof(string), RequireMethod(type, "LoadNonEmptyString").ReturnType);
        Assert.Equal(typeof(string), RequireMethod(type, "LoadString").ReturnType);
    }

    [Fact]
    public void LoaderRegistrationTypesHaveTheExpectedShape()
    {
        var versionInfo = CoreType("Microsoft.ML.VersionInfo");
        Assert.NotNull(versionInfo.GetConstructor(All, [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)]));

        var signature = CoreType("Microsoft.ML.SignatureLoadModel");
        Assert.True(typeof(Delegate).IsAssignableFrom(signature));
        Assert.Equal(new[] { CoreType("Microsoft.ML.ModelLoadContext") }, signature.GetMethod("Invoke")!.GetParameters().Select(p => p.ParameterType));

        var attribute = CoreType("Microsoft.ML.LoadableClassAttribute");
        Assert.NotNull(attribute.GetConstructor(All, [typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])]));
    }

    [Fact]
    public void TheLibraryRegistersItsLoaderAndTheLoaderMethodHasTheSignatureMlNetLooksFor()
    {
        var attribute = Assert.Single(
            typeof(ElectrostaticCnnTransformer).Assembly.GetCustomAttributesData(),
            a => a.AttributeType.FullName == "Microsoft.ML.LoadableClassAttribute");
        Assert.Equal(typeof(ElectrostaticCnnTransformer), attribute.ConstructorArguments[0].Value);
        Assert.Equal(CoreType("Microsoft.ML.SignatureLoadModel"), attribute.ConstructorArguments[2].Value);

        // ComponentCatalog looks for a static "Create(IHostEnvironment, ModelLoadContext)", public or not.
        var create = typeof(ElectrostaticCnnTransformer).GetMethod(
            "Create", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(IHostEnvironment), CoreType("Microsoft.ML.ModelLoadContext")]);
        Assert.NotNull(create);
        Assert.Equal(typeof(ElectrostaticCnnTransformer), create.ReturnType);
    }

    [Fact]
    public void EveryMlNetTypeAndMemberTheLibraryReferencesExistsAtRunTime()
    {
        // Walks the library's metadata: every type and member reference into Microsoft.ML.Core / Microsoft.ML.Data (public or
        // internal) must resolve against the assemblies loaded now, or an ML.NET update broke the persistence code.
        var library = typeof(ElectrostaticCnnTransformer).Assembly;
        using var pe = new PEReader(File.OpenRead(library.Location));
        var metadata = pe.GetMetadataReader();
        var module = library.ManifestModule;
        string[] mlnet = ["Microsoft.ML.Core", "Microsoft.ML.Data"];

        int types = 0;
        foreach (var handle in metadata.TypeReferences)
        {
            if (mlnet.Contains(AssemblyOf(metadata, handle)))
            {
                Assert.NotNull(module.ResolveType(MetadataTokens.GetToken(handle)));
                types++;
            }
        }

        int members = 0;
        foreach (var handle in metadata.MemberReferences)
        {
            var reference = metadata.GetMemberReference(handle);
            if (reference.Parent.Kind == HandleKind.TypeReference && mlnet.Contains(AssemblyOf(metadata, (TypeReferenceHandle)reference.Parent)))
            {
                Assert.NotNull(module.ResolveMember(MetadataTokens.GetToken(handle)));
                members++;
            }
        }

        // The persistence code alone references ModelSaveContext, ModelLoadContext, VersionInfo, LoadableClassAttribute,
        // SignatureLoadModel and AnnotationUtils.
        Assert.True(types >= 20, $"only {types} ML.NET type references");
        Assert.True(members >= 30, $"only {members} ML.NET member references");
    }

    [Fact]
    public void TheLibraryDeclaresIgnoresAccessChecksToForThePublicizedAssemblies()
    {
        var names = typeof(ElectrostaticCnnTransformer).Assembly.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute")
            .Select(a => (string)a.ConstructorArguments[0].Value!)
            .Order();
        Assert.Equal(new[] { "Microsoft.ML.Core", "Microsoft.ML.Data", "Microsoft.ML.OnnxConverter" }, names);
    }

    private static string AssemblyOf(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var reference = metadata.GetTypeReference(handle);
        return reference.ResolutionScope.Kind switch
        {
            HandleKind.AssemblyReference => metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).Name),
            HandleKind.TypeReference => AssemblyOf(metadata, (TypeReferenceHandle)reference.ResolutionScope),
            _ => string.Empty,
        };
    }

    private static Type CoreType(string name) =>
        Core.GetType(name) ?? throw new Xunit.Sdk.XunitException($"{name} no longer exists in {Core.GetName().Name}.");

    private static MethodInfo RequireMethod(Type type, string name, params Type[] parameters) =>
        type.GetMethod(name, All, parameters)
        ?? throw new Xunit.Sdk.XunitException($"{type.FullName}.{name}({string.Join(", ", parameters.Select(p => p.Name))}) no longer exists.");
}
