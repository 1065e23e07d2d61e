using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ElectrostaticPruning.Build.ScalarLifetime;

/// <summary>
/// Finds every place where code hands TorchSharp a <c>Scalar</c> that nothing keeps alive for the call.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>Scalar</c> wraps a native <c>c10::Scalar</c> and frees it in its finalizer. A method such as
/// <c>Tensor.add_(Tensor other, Scalar alpha)</c> reads <c>alpha.Handle</c> and calls libtorch; from then on nothing
/// references the managed object, so a garbage collection on another thread (ML.NET's cursors, a progress display, the
/// user's own code) can finalize it while libtorch still reads it: "Expected false to be true ... toFloat at
/// c10/core/Scalar.h", "Unknown scalar type", or a crash. The rules:
/// <list type="bullet">
/// <item><description>EPS001: an implicit conversion of a C# number to <c>Scalar</c> (<c>t * 2.0</c>, <c>t.clamp_min(0)</c>,
/// <c>index_fill_(0, i, 0)</c>, <c>arange(n)</c>) makes a temporary. Allowed only as the initializer of a <c>using</c>
/// local or of a static field (cached for the process).</description></item>
/// <item><description>EPS002: the same for an explicit <c>ToScalar()</c>.</description></item>
/// <item><description>EPS003: a TorchSharp member that makes such a temporary itself (<c>a + b</c> on tensors, <c>add_(t)</c>
/// with its implicit alpha 1, <c>square()</c>, <c>ToDouble()</c>, <c>SGD.step</c>, ...), listed in
/// TorchSharpTemporaryScalars.tsv, generated from TorchSharp's sources.</description></item>
/// <item><description>EPS004: calling a TorchSharp module (<c>call</c> / <c>forward</c>) whose <c>forward</c> is such a member
/// (BatchNorm counts batches with <c>num_batches_tracked.add_(1)</c>).</description></item>
/// </list>
/// </remarks>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class ScalarLifetimeAnalyzer : DiagnosticAnalyzer
{
    private const string Category = "Reliability";

    private static readonly DiagnosticDescriptor ImplicitScalar = new(
        "EPS001",
        "Temporary TorchSharp Scalar",
        "'{0}' becomes a temporary TorchSharp Scalar that nothing keeps alive while libtorch reads it; use a cached Scalar (static) or 'using var s = value.ToScalar();'",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor TemporaryToScalar = new(
        "EPS002",
        "Temporary TorchSharp Scalar",
        "The Scalar made by '{0}' is a temporary that nothing keeps alive while libtorch reads it; assign it to a 'using' local or a static field",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor UnsafeMember = new(
        "EPS003",
        "TorchSharp member with a temporary Scalar",
        "'{0}' passes a temporary Scalar to libtorch without keeping it alive ({1}); use an overload that takes the Scalar, such as add(other, alpha) with a cached alpha, or a tensor operation",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor UnsafeModule = new(
        "EPS004",
        "TorchSharp virtual member with a temporary Scalar",
        "'{0}' runs or may run '{1}', which passes a temporary Scalar to libtorch ({2}); call code that keeps its Scalars alive instead, such as the functional form of a module or the library's own optimizer",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly Lazy<IReadOnlyDictionary<string, string>> UnsafeMembers = new(LoadUnsafeMembers);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(ImplicitScalar, TemporaryToScalar, UnsafeMember, UnsafeModule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var scalar = start.Compilation.GetTypeByMetadataName("TorchSharp.Scalar");
            var module = start.Compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module");
            var sequential = start.Compilation.GetTypeByMetadataName("TorchSharp.Modules.Sequential");
            if (scalar is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeConversion(c, scalar), OperationKind.Conversion);
            var symbols = new UnsafeSymbols(start.Compilation, UnsafeMembers.Value);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, scalar, module, symbols, sequential), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeOperator(c, ((IBinaryOperation)c.Operation).OperatorMethod), OperationKind.Binary);
            start.RegisterOperationAction(c => AnalyzeOperator(c, ((IUnaryOperation)c.Operation).OperatorMethod), OperationKind.Unary);
            start.RegisterOperationAction(c => AnalyzeOperator(c, ((ICompoundAssignmentOperation)c.Operation).OperatorMethod), OperationKind.CompoundAssignment);
            start.RegisterOperationAction(c => AnalyzeOperator(c, ((IObjectCreationOperation)c.Operation).Constructor), OperationKind.ObjectCreation);
        });
    }

    private static void AnalyzeConversion(OperationAnalysisContext context, INamedTypeSymbol scalar)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.Conversion.IsUserDefined && conversion.OperatorMethod is { } method && !SymbolEqualityComparer.Default.Equals(conversion.Type, scalar))
        {
            // (double)tensor and friends read the value through a temporary Scalar inside TorchSharp.
            AnalyzeOperator(context, method);
        }

        if (!conversion.Conversion.IsUserDefined || !SymbolEqualityComparer.Default.Equals(conversion.Type, scalar) || IsKeptAlive(conversion))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(ImplicitScalar, conversion.Syntax.GetLocation(), conversion.Operand.Syntax.ToString()));
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol scalar, INamedTypeSymbol? module, UnsafeSymbols symbols, INamedTypeSymbol? sequential)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name == "ToScalar" && SymbolEqualityComparer.Default.Equals(method.ReturnType, scalar) && !IsKeptAlive(invocation))
        {
            context.ReportDiagnostic(Diagnostic.Create(TemporaryToScalar, invocation.Syntax.GetLocation(), invocation.Syntax.ToString()));
        }

        AnalyzeOperator(context, method);
        if (invocation.Instance?.Type is not INamedTypeSymbol receiver)
        {
            return;
        }

        // Virtual dispatch: Module.call runs forward, an optimizer's step is abstract in OptimizerHelper. Look for an unsafe
        // implementation that the receiver's static type runs or, for a TorchSharp type that is not sealed, may run.
        string? name = module is not null && method.Name == "call" && DerivesFrom(receiver, module) ? "forward"
            : method.IsVirtual || method.IsAbstract || method.IsOverride ? method.Name
            : null;
        if (name == "forward" && sequential is not null && DerivesFrom(receiver, sequential))
        {
            // A container runs its children through Module.call: whatever they are (a BatchNorm, for one), the analyzer cannot see them.
            context.ReportDiagnostic(Diagnostic.Create(UnsafeModule, invocation.Syntax.GetLocation(), invocation.Syntax.ToString(), "the forward of each child module", "a container's children are not known here"));
        }
        else if (name is not null && symbols.Dispatch(receiver, name, method.Parameters.Length) is { } target)
        {
            context.ReportDiagnostic(Diagnostic.Create(UnsafeModule, invocation.Syntax.GetLocation(), invocation.Syntax.ToString(), target.ToDisplayString(), symbols.Reason(target)));
        }
    }

    private static void AnalyzeOperator(OperationAnalysisContext context, IMethodSymbol? method)
    {
        if (method is not null && UnsafeMembers.Value.TryGetValue(Id(method), out string? why))
        {
            context.ReportDiagnostic(Diagnostic.Create(UnsafeMember, context.Operation.Syntax.GetLocation(), method.ToDisplayString(), why));
        }
    }

    // A using local ('using var s = 2.0.ToScalar();', 'using Scalar s = 2.0;') or a static field keeps the Scalar alive.
    private static bool IsKeptAlive(IOperation operation)
    {
        var parent = operation.Parent;
        if (parent is IVariableInitializerOperation)
        {
            var syntax = operation.Syntax.Parent;
            while (syntax is not null and not StatementSyntax and not MemberDeclarationSyntax)
            {
                syntax = syntax.Parent;
            }

            return syntax switch
            {
                LocalDeclarationStatementSyntax local => local.UsingKeyword.RawKind != 0,
                UsingStatementSyntax => true,
                FieldDeclarationSyntax field => field.Modifiers.Any(m => m.ValueText == "static"),
                _ => false,
            };
        }

        return parent is IFieldInitializerOperation { InitializedFields: var fields } && fields.All(f => f.IsStatic);
    }

    internal static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    internal static string Id(IMethodSymbol method) => method.OriginalDefinition.GetDocumentationCommentId() ?? string.Empty;

    private static IReadOnlyDictionary<string, string> LoadUnsafeMembers()
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        using var stream = typeof(ScalarLifetimeAnalyzer).Assembly.GetManifestResourceStream("TorchSharpTemporaryScalars.tsv")
            ?? throw new InvalidOperationException("TorchSharpTemporaryScalars.tsv is not embedded in the analyzer.");
        using var reader = new StreamReader(stream);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int tab = line.IndexOf('\t');
            members[tab < 0 ? line : line.Substring(0, tab)] = tab < 0 ? "see TorchSharpTemporaryScalars.tsv" : line.Substring(tab + 1);
        }

        return members;
    }
}
