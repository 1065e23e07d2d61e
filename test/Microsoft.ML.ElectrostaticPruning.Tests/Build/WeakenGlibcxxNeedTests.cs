using System.Text;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Build;

/// <summary>
/// The libLibTorchSharp native fix (build/WeakenGlibcxxNeedTask.cs, compiled here without its MSBuild task class) on a
/// minimal synthetic ELF64 little-endian file: a .dynstr string table and a .gnu.version_r section with one Verneed
/// entry (libstdc++.so.6) and two Vernaux entries, GLIBCXX_3.4.32 and GLIBCXX_3.4.
/// </summary>
public sealed class WeakenGlibcxxNeedTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ep-elf-tests-" + Guid.NewGuid().ToString("N"));

    public WeakenGlibcxxNeedTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheNamedVersionNeedBecomesWeakAndNothingElseChanges()
    {
        var elf = SyntheticElf.Build();
        string path = Write("libLibTorchSharp.so", elf.Bytes);

        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);

        Assert.Equal(ElfPatchOutcome.MarkedWeak, result.Outcome);
        byte[] patched = File.ReadAllBytes(path);
        Assert.Equal(ElfVersionNeedPatcher.VersionFlagWeak, Flags(patched, elf.FirstAuxFlags));
        Assert.Equal(0, Flags(patched, elf.SecondAuxFlags));
        var differing = Enumerable.Range(0, elf.Bytes.Length).Where(i => patched[i] != elf.Bytes[i]).ToArray();
        Assert.Equal(new[] { elf.FirstAuxFlags }, differing);
    }

    [Fact]
    public void OtherFlagBitsOfTheEntryAreKept()
    {
        var elf = SyntheticElf.Build(firstAuxFlags: 0x1);
        string path = Write("libLibTorchSharp.so", elf.Bytes);

        ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);

        Assert.Equal(0x1 | ElfVersionNeedPatcher.VersionFlagWeak, Flags(File.ReadAllBytes(path), elf.FirstAuxFlags));
    }

    [Fact]
    public void PatchingAgainReportsAlreadyWeakAndLeavesTheFileAsItIs()
    {
        string path = Write("libLibTorchSharp.so", SyntheticElf.Build().Bytes);
        ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);
        byte[] once = File.ReadAllBytes(path);
        var stamp = File.GetLastWriteTimeUtc(path);

        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);

        Assert.Equal(ElfPatchOutcome.AlreadyWeak, result.Outcome);
        Assert.Contains("already weak", result.Message);
        Assert.Equal(once, File.ReadAllBytes(path));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void NoTemporaryFileIsLeftBehind()
    {
        string path = Write("libLibTorchSharp.so", SyntheticElf.Build().Bytes);

        ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);
        ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);
        ElfVersionNeedPatcher.MarkVersionNeedWeak(Write("broken.so", SyntheticElf.Build().Bytes[..100]), Version);

        Assert.Equal(["broken.so", "libLibTorchSharp.so"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AFileWithoutThatVersionNeedIsLeftAsItIs()
    {
        byte[] bytes = SyntheticElf.Build().Bytes;
        string path = Write("libLibTorchSharp.so", bytes);

        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, "GLIBCXX_3.4.99");

        Assert.Equal(ElfPatchOutcome.NothingToDo, result.Outcome);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void AnElfFileOfAnotherClassIsLeftAsItIs()
    {
        byte[] bytes = SyntheticElf.Build().Bytes;
        bytes[4] = 1; // ELFCLASS32
        string path = Write("libLibTorchSharp.so", bytes);

        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);

        Assert.Equal(ElfPatchOutcome.NothingToDo, result.Outcome);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(100)]
    [InlineData(200)]
    public void ATruncatedFileGivesAWarningInsteadOfAnException(int length)
    {
        byte[] bytes = SyntheticElf.Build().Bytes[..length];
        string path = Write("libLibTorchSharp.so", bytes);

        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);

        Assert.Equal(ElfPatchOutcome.Warning, result.Outcome);
        Assert.Contains("truncated", result.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void ANonElfFileGivesAWarningInsteadOfAnException()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("/* GNU ld script */\nINPUT(libLibTorchSharp.so.1)\n");
        string path = Write("libLibTorchSharp.so", bytes);

        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);

        Assert.Equal(ElfPatchOutcome.Warning, result.Outcome);
        Assert.Contains("not an ELF file", result.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void AnEntryPointingOutsideItsSectionGivesAWarningInsteadOfAnException()
    {
        var elf = SyntheticElf.Build();
        BitConverter.GetBytes(0x7fff_0000u).CopyTo(elf.Bytes, elf.FirstAuxFlags + 8); // first vna_next far away
        BitConverter.GetBytes(0xffff_fff0u).CopyTo(elf.Bytes, elf.FirstAuxFlags + 4); // first vna_name too
        string path = Write("libLibTorchSharp.so", elf.Bytes);

        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, Version);

        Assert.Equal(ElfPatchOutcome.Warning, result.Outcome);
    }

    [Fact]
    public void AMissingFileGivesAWarningInsteadOfAnException()
    {
        var result = ElfVersionNeedPatcher.MarkVersionNeedWeak(Path.Combine(_folder, "absent.so"), Version);

        Assert.Equal(ElfPatchOutcome.Warning, result.Outcome);
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static int Flags(byte[] bytes, int offset) => BitConverter.ToUInt16(bytes, offset);

    /// <summary>A minimal ELF64 LSB shared object: header, .dynstr, .gnu.version_r, three section headers.</summary>
    private sealed record SyntheticElf(byte[] Bytes, int FirstAuxFlags, int SecondAuxFlags)
    {
        public static SyntheticElf Build(ushort firstAuxFlags = 0)
        {
            const int strings = 64;
            byte[] table = Encoding.ASCII.GetBytes("\0libstdc++.so.6\0GLIBCXX_3.4.32\0GLIBCXX_3.4\0");
            uint file = 1, first = 16, second = 31;
            int verneed = (strings + table.Length + 7) & ~7;
            int verneedSize = 16 + 2 * 16;
            int sections = verneed + verneedSize;
            var bytes = new byte[sections + 3 * 64];
            var w = new BinaryWriter(new MemoryStream(bytes));

            // ELF header: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT; ET_DYN, EM_X86_64; e_shoff, sizes, counts.
            w.Write([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0]);
            Seek(w, 0x10);
            w.Write((ushort)3);
            w.Write((ushort)62);
            w.Write(1u);
            Seek(w, 0x28);
            w.Write((ulong)sections);
            Seek(w, 0x34);
            w.Write((ushort)64);
            Seek(w, 0x3A);
            w.Write((ushort)64);
            w.Write((ushort)3);
            w.Write((ushort)0);

            Seek(w, strings);
            w.Write(table);

            // Elf64_Verneed: vn_version, vn_cnt, vn_file, vn_aux, vn_next; then two Elf64_Vernaux:
            // vna_hash, vna_flags, vna_other, vna_name, vna_next.
            Seek(w, verneed);
            w.Write((ushort)1);
            w.Write((ushort)2);
            w.Write(file);
            w.Write(16u);
            w.Write(0u);
            w.Write(0x08922432u);
            w.Write(firstAuxFlags);
            w.Write((ushort)3);
            w.Write(first);
            w.Write(16u);
            w.Write(0x08922974u);
            w.Write((ushort)0);
            w.Write((ushort)2);
            w.Write(second);
            w.Write(0u);

            // Section headers: null, .dynstr (SHT_STRTAB), .gnu.version_r (SHT_GNU_verneed, sh_link 1, sh_info 1 entry).
            Seek(w, sections + 64);
            SectionHeader(w, type: 3, offset: strings, size: table.Length, link: 0, info: 0);
            SectionHeader(w, type: ElfVersionNeedPatcher.SectionTypeVerneed, offset: verneed, size: verneedSize, link: 1, info: 1);
            w.Flush();

            return new SyntheticElf(bytes, verneed + 16 + 4, verneed + 32 + 4);
        }

        private static void Seek(BinaryWriter writer, int offset) => writer.BaseStream.Position = offset;

        private static void SectionHeader(BinaryWriter w, uint type, int offset, int size, uint link, uint info)
        {
            w.Write(0u);               // sh_name
            w.Write(type);             // sh_type
            w.Write(2ul);              // sh_flags: SHF_ALLOC
            w.Write((ulong)offset);    // sh_addr
            w.Write((ulong)offset);    // sh_offset
            w.Write((ulong)size);      // sh_size
            w.Write(link);             // sh_link
            w.Write(info);             // sh_info
            w.Write(8ul);              // sh_addralign
            w.Write(0ul);              // sh_entsize
        }
    }
}
