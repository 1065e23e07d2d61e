using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ElectrostaticPruning.Build.ScalarLifetime;

/// <summary>The listed TorchSharp members resolved to symbols of one compilation, for questions about virtual dispatch.</summary>
internal sealed class UnsafeSymbols
{
    private readonly IReadOnlyDictionary<string, string> _reasons;
    private readonly ILookup<string, IMethodSymbol> _byName;

    public UnsafeSymbols(Compilation compilation, IReadOnlyDictionary<string, string> reasons)
    {
        _reasons = reasons;
        _byName = reasons.Keys
            .Select(id => DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation))
            .OfType<IMethodSymbol>()
            .ToLookup(m => m.Name);
    }

    /// <summary>Why <paramref name="method"/> is listed.</summary>
    public string Reason(IMethodSymbol method) => _reasons.TryGetValue(ScalarLifetimeAnalyzer.Id(method), out string? why) ? why : string.Empty;

    /// <summary>
    /// A listed implementation of <paramref name="name"/> (with <paramref name="parameters"/> parameters) that a call on a
    /// receiver of static type <paramref name="receiver"/> runs (the nearest declaration in it or its base types) or, when
    /// the receiver is a TorchSharp type that is not sealed, may run (a listed override in a TorchSharp type derived from
    /// it); null when there is none.
    /// </summary>
    public IMethodSymbol? Dispatch(INamedTypeSymbol receiver, string name, int parameters)
    {
        for (var type = receiver; type is not null; type = type.BaseType)
        {
            var declared = type.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(m => !m.IsAbstract && m.Parameters.Length == parameters);
            if (declared is not null)
            {
                if (_reasons.ContainsKey(ScalarLifetimeAnalyzer.Id(declared)))
                {
                    return declared;
                }

                break;
            }
        }

        if (receiver.IsSealed || receiver.ContainingAssembly?.Name != "TorchSharp")
        {
            return null;
        }

        return _byName[name].FirstOrDefault(m => m.Parameters.Length == parameters && !SymbolEqualityComparer.Default.Equals(m.ContainingType, receiver)
            && ScalarLifetimeAnalyzer.DerivesFrom(m.ContainingType, receiver.OriginalDefinition));
    }
}
