using System.Reflection;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>ML.NET's internal <c>SchemaShape.Create</c>, which estimator chains call to turn a schema into a shape.</summary>
internal static class SchemaShapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, [typeof(DataViewSchema)])
        ?? throw new MissingMethodException(nameof(SchemaShape), "Create(DataViewSchema)");

    /// <summary>The shape of <paramref name="schema"/>, exactly as an estimator chain builds it.</summary>
    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;
}
