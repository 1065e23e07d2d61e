// Lists the public TorchSharp members that pass a temporary Scalar to libtorch without keeping it alive, from TorchSharp's
// own sources: the table build/ScalarLifetimeAnalyzer reads (TorchSharpTemporaryScalars.tsv).
//
//   git clone https://github.com/dotnet/TorchSharp && git -C TorchSharp checkout <the release tag in use>
//   dotnet run --project build/TorchSharpScan -- TorchSharp/src/TorchSharp [extra reference .dll ...] > table.tsv
//
// A member is listed when its body converts a C# number to Scalar (or calls ToScalar()) anywhere except as the
// initializer of a 'using' local, or when it calls a listed member (followed to a fixed point). Virtual dispatch is not
// followed; the analyzer handles calls through a base type at the call site. Extra references (Google.Protobuf,
// SharpZipLib, SkiaSharp from the NuGet cache) only silence binding errors in unrelated files.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: TorchSharpScan <TorchSharp/src/TorchSharp folder> [reference.dll ...]");
    return 2;
}

string root = Path.GetFullPath(args[0]);
var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: ["NET6_0_OR_GREATER", "NETCOREAPP"]);
var trees = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
    .Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), parse, p))
    .ToList();
var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
var references = platform.Concat(args.Skip(1)).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
var compilation = CSharpCompilation.Create("TorchSharp", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar") ?? throw new InvalidOperationException("TorchSharp.Scalar not found: is this TorchSharp's source folder?");

var direct = new Dictionary<IMethodSymbol, string>(SymbolEqualityComparer.Default);
var calls = new Dictionary<IMethodSymbol, HashSet<IMethodSymbol>>(SymbolEqualityComparer.Default);
foreach (var tree in trees)
{
    var model = compilation.GetSemanticModel(tree);
    foreach (var declaration in tree.GetRoot().DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax))
    {
        if (model.GetDeclaredSymbol(declaration) is not IMethodSymbol method || model.GetOperation(declaration) is not { } body)
        {
            continue;
        }

        var key = method.OriginalDefinition;
        string Where(SyntaxNode node) => $"{Path.GetRelativePath(root, tree.FilePath)}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {node}";
        if (!calls.TryGetValue(key, out var callees))
        {
            calls[key] = callees = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        }

        foreach (var operation in body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IConversionOperation conversion when conversion.Conversion.IsUserDefined && SymbolEqualityComparer.Default.Equals(conversion.Type, scalar) && !KeptAlive(conversion):
                    direct.TryAdd(key, Where(conversion.Syntax));
                    break;
                case IInvocationOperation invocation:
                    callees.Add(invocation.TargetMethod.OriginalDefinition);
                    if (invocation.TargetMethod.Name == "ToScalar" && SymbolEqualityComparer.Default.Equals(invocation.Type, scalar) && !KeptAlive(invocation))
                    {
                        direct.TryAdd(key, Where(invocation.Syntax));
                    }

                    break;
                case IBinaryOperation { OperatorMethod: { } binary }:
                    callees.Add(binary.OriginalDefinition);
                    break;
                case IUnaryOperation { OperatorMethod: { } unary }:
                    callees.Add(unary.OriginalDefinition);
                    break;
                case ICompoundAssignmentOperation { OperatorMethod: { } compound }:
                    callees.Add(compound.OriginalDefinition);
                    break;
                case IObjectCreationOperation { Constructor: { } constructor }:
                    callees.Add(constructor.OriginalDefinition);
                    break;
                case IPropertyReferenceOperation property:
                    if (property.Property.GetMethod is { } getter)
                    {
                        callees.Add(getter.OriginalDefinition);
                    }

                    if (property.Property.SetMethod is { } setter)
                    {
                        callees.Add(setter.OriginalDefinition);
                    }

                    break;
            }
        }
    }
}

var listed = new Dictionary<IMethodSymbol, string>(direct, SymbolEqualityComparer.Default);
for (bool changed = true; changed;)
{
    changed = false;
    foreach (var (method, callees) in calls)
    {
        if (!listed.ContainsKey(method) && callees.FirstOrDefault(listed.ContainsKey) is { } callee)
        {
            listed[method] = "calls " + callee.ToDisplayString();
            changed = true;
        }
    }
}

foreach (var (method, why) in listed.Where(kv => kv.Key.DeclaredAccessibility == Accessibility.Public && IsPublic(kv.Key.ContainingType)).OrderBy(kv => kv.Key.ToDisplayString(), StringComparer.Ordinal))
{
    Console.WriteLine($"{method.GetDocumentationCommentId()}\t{why.ReplaceLineEndings(" ")}");
}

Console.Error.WriteLine($"{direct.Count} members make a temporary themselves, {listed.Count} in all; {compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error)} binding errors ignored");
return 0;

static bool KeptAlive(IOperation operation) =>
    operation.Parent is IVariableInitializerOperation && operation.Syntax.Ancestors().OfType<LocalDeclarationStatementSyntax>().FirstOrDefault() is { UsingKeyword.RawKind: > 0 };

static bool IsPublic(INamedTypeSymbol? type)
{
    for (; type is not null; type = type.ContainingType)
    {
        if (type.DeclaredAccessibility != Accessibility.Public)
        {
            return false;
        }
    }

    return true;
}
