using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>
/// The dynamic symbol table (<c>.dynsym</c>) of a 64-bit little-endian ELF shared library, read from the file without
/// loading it: what it exports and which unversioned symbols it needs from other libraries (those of libtorch; the
/// C and C++ runtime's symbols carry GLIBC_/GLIBCXX_/CXXABI_ versions).
/// </summary>
internal sealed class ElfDynamicSymbols
{
    private const uint SectionDynamicSymbols = 11;          // SHT_DYNSYM
    private const uint SectionSymbolVersions = 0x6fffffff;  // SHT_GNU_versym
    private const int SymbolSize = 24;                      // sizeof(Elf64_Sym)
    private const int SectionHeaderSize = 64;               // sizeof(Elf64_Shdr)

    private ElfDynamicSymbols(IReadOnlySet<string> exported, IReadOnlyList<string> required)
    {
        Exported = exported;
        Required = required;
    }

    /// <summary>Names the library defines and exports (global, weak or unique binding).</summary>
    public IReadOnlySet<string> Exported { get; }

    /// <summary>Names the library needs from another one: undefined, not weak, without a symbol version.</summary>
    public IReadOnlyList<string> Required { get; }

    /// <summary>Reads the dynamic symbols of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file with a dynamic symbol table.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ElfDynamicSymbols Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var header = ReadAt(file, 0, 64, path);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            throw new InvalidDataException($"{path} is not an ELF file.");
        }

        if (header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file.");
        }

        long sectionHeaders = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28)));
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3c));
        var sections = ReadAt(file, sectionHeaders, sectionCount * SectionHeaderSize, path);

        Section? symbols = null;
        Section? versions = null;
        for (int i = 0; i < sectionCount; i++)
        {
            var section = Section.Parse(sections.AsSpan(i * SectionHeaderSize, SectionHeaderSize));
            if (section.Type == SectionDynamicSymbols)
            {
                symbols = section;
            }
            else if (section.Type == SectionSymbolVersions)
            {
                versions = section;
            }
        }

        if (symbols is not { } dynsym || dynsym.Link >= sectionCount)
        {
            throw new InvalidDataException($"{path} has no dynamic symbol table.");
        }

        var strings = Section.Parse(sections.AsSpan((int)dynsym.Link * SectionHeaderSize, SectionHeaderSize));
        var symbolBytes = ReadAt(file, dynsym.Offset, checked((int)dynsym.Size), path);
        var stringBytes = ReadAt(file, strings.Offset, checked((int)strings.Size), path);
        var versionBytes = versions is { } v ? ReadAt(file, v.Offset, checked((int)v.Size), path) : null;

        var exported = new HashSet<string>(StringComparer.Ordinal);
        var required = new List<string>();
        int count = symbolBytes.Length / SymbolSize;
        for (int i = 1; i < count; i++)
        {
            var symbol = symbolBytes.AsSpan(i * SymbolSize, SymbolSize);
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(symbol);
            int binding = symbol[4] >> 4;
            ushort sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(symbol[6..]);
            if (nameOffset == 0 || nameOffset >= stringBytes.Length)
            {
                continue;
            }

            if (sectionIndex != 0)
            {
                // STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE
                if (binding is 1 or 2 or 10)
                {
                    exported.Add(Name(stringBytes, nameOffset));
                }

                continue;
            }

            int version = versionBytes is not null && (i * 2) + 2 <= versionBytes.Length
                ? BinaryPrimitives.ReadUInt16LittleEndian(versionBytes.AsSpan(i * 2)) & 0x7fff
                : 1;
            if (binding == 1 && version <= 1)
            {
                required.Add(Name(stringBytes, nameOffset));
            }
        }

        return new ElfDynamicSymbols(exported, required);
    }

    private static string Name(byte[] strings, uint offset)
    {
        var rest = strings.AsSpan((int)offset);
        int end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }

    private static byte[] ReadAt(FileStream file, long offset, int length, string path)
    {
        if (offset < 0 || length < 0 || offset + length > file.Length)
        {
            throw new InvalidDataException($"{path} is truncated or not a valid ELF file (a table at offset {offset}, {length} bytes, lies outside its {file.Length} bytes).");
        }

        var buffer = new byte[length];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link)
    {
        public static Section Parse(ReadOnlySpan<byte> header) => new(
            BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
            checked((long)BinaryPrimitives.ReadUInt64LittleEndian(header[24..])),
            checked((long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..])),
            BinaryPrimitives.ReadUInt32LittleEndian(header[40..]));
    }
}
