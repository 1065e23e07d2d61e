using System.Reflection;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>
/// The smallest registrar Spectre.Console.Cli needs for constructor injection: registered instances and _factories
/// (several per service, resolved together as <c>IEnumerable&lt;T&gt;</c>), and any other class built through its
/// public constructor with the most resolvable parameters.
/// </summary>
internal sealed class TypeRegistrar : ITypeRegistrar
{
    private readonly Dictionary<Type, List<Func<object>>> _factories = [];

    /// <inheritdoc/>
    public void Register(Type service, Type implementation) => Add(service, () => Create(implementation));

    /// <inheritdoc/>
    public void RegisterInstance(Type service, object implementation) => Add(service, () => implementation);

    /// <inheritdoc/>
    public void RegisterLazy(Type service, Func<object> factory)
    {
        var lazy = new Lazy<object>(factory);
        Add(service, () => lazy.Value);
    }

    /// <inheritdoc/>
    public ITypeResolver Build() => new Resolver(this);

    private void Add(Type service, Func<object> factory)
    {
        if (!_factories.TryGetValue(service, out var list))
        {
            _factories[service] = list = [];
        }

        list.Add(factory);
    }

    private bool CanResolve(Type type) => _factories.ContainsKey(type) || ElementTypeOf(type) is not null;

    private object? Resolve(Type? type)
    {
        if (type is null)
        {
            return null;
        }

        if (_factories.TryGetValue(type, out var list))
        {
            return list[^1]();
        }

        if (ElementTypeOf(type) is { } element)
        {
            var all = _factories.TryGetValue(element, out var registered) ? registered.Select(f => f()).ToArray() : [];
            var array = Array.CreateInstance(element, all.Length);
            Array.Copy(all, array, all.Length);
            return array;
        }

        return type.IsAbstract || type.IsInterface ? null : Create(type);
    }

    private object Create(Type type)
    {
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Where(c => c.GetParameters().All(p => CanResolve(p.ParameterType)))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"{type.Name} has no public constructor whose parameters are all registered.");
        return constructor.Invoke(constructor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray());
    }

    private static Type? ElementTypeOf(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? type.GetGenericArguments()[0] : null;

    private sealed class Resolver(TypeRegistrar registrar) : ITypeResolver
    {
        public object? Resolve(Type? type) => registrar.Resolve(type);
    }
}
