namespace System.Runtime.CompilerServices;

/// <summary>
/// Tells the runtime that this assembly may access non-public members of the named assembly. CoreCLR honours
/// it although the BCL does not declare it; the compiler needs the publicized reference copies produced by
/// build/Publicizer.targets to bind to those members in the first place.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Creates the attribute for the assembly with simple name <paramref name="assemblyName"/>.</summary>
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>Simple name of the assembly whose access checks are ignored.</summary>
    public string AssemblyName { get; }
}
