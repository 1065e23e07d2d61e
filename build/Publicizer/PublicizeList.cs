namespace ElectrostaticPruning.Build.Publicizer;

/// <summary>
/// The types and members to publicize, read from a text file (build/PublicizedMlNetInternals.txt), one entry a line:
/// <c>Assembly!Namespace.Type</c> for a type, <c>Assembly!Namespace.Type::Member</c> for a member (every overload of a
/// method; both accessors of a property or event; <c>.ctor</c> for constructors). Nested types are written
/// <c>Outer+Inner</c>. Blank lines and text after <c>#</c> are ignored.
/// </summary>
internal sealed class PublicizeList
{
    private PublicizeList(IReadOnlyList<PublicizeEntry> entries) => Entries = entries;

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<PublicizeEntry> Entries { get; }

    /// <summary>Reads and validates <paramref name="path"/>; throws <see cref="FormatException"/> naming the bad line.</summary>
    public static PublicizeList Load(string path)
    {
        var entries = new List<PublicizeEntry>();
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            int comment = lines[i].IndexOf('#');
            string text = (comment >= 0 ? lines[i][..comment] : lines[i]).Trim();
            if (text.Length == 0)
            {
                continue;
            }

            entries.Add(PublicizeEntry.Parse(text) ?? throw new FormatException(
                $"{path}({i + 1}): expected 'Assembly!Namespace.Type' or 'Assembly!Namespace.Type::Member', got '{text}'."));
        }

        return new PublicizeList(entries);
    }

    /// <summary>The entries for the assembly with simple name <paramref name="assemblyName"/>.</summary>
    public IEnumerable<PublicizeEntry> For(string assemblyName) =>
        Entries.Where(e => string.Equals(e.Assembly, assemblyName, StringComparison.Ordinal));
}

/// <summary>One line of the list: a type (<see cref="Member"/> null) or one member name of a type.</summary>
/// <param name="Assembly">Simple name of the assembly that defines the type.</param>
/// <param name="TypeName">Full type name, nested types separated by '+'.</param>
/// <param name="Member">Member name, or null for the type itself.</param>
internal sealed record PublicizeEntry(string Assembly, string TypeName, string? Member)
{
    /// <summary>The entry's text as written in the list.</summary>
    public override string ToString() => $"{Assembly}!{TypeName}{(Member is null ? "" : "::" + Member)}";

    /// <summary>The type name in Mono.Cecil's spelling (nested types separated by '/').</summary>
    public string CecilTypeName => TypeName.Replace('+', '/');

    /// <summary>Parses one non-empty, comment-free line; null when it is malformed.</summary>
    public static PublicizeEntry? Parse(string text)
    {
        int bang = text.IndexOf('!');
        if (bang <= 0)
        {
            return null;
        }

        string assembly = text[..bang];
        string rest = text[(bang + 1)..];
        string? member = null;
        int colons = rest.IndexOf("::", StringComparison.Ordinal);
        if (colons >= 0)
        {
            member = rest[(colons + 2)..];
            rest = rest[..colons];
            if (member.Length == 0 || member.Any(char.IsWhiteSpace))
            {
                return null;
            }
        }

        if (rest.Length == 0 || rest.Any(char.IsWhiteSpace) || assembly.Any(char.IsWhiteSpace))
        {
            return null;
        }

        return new PublicizeEntry(assembly, rest, member);
    }
}
