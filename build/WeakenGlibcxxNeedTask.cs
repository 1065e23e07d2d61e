// The libLibTorchSharp native fix: marks one ELF version need (GLIBCXX_3.4.32) weak. See
// Microsoft.ML.ElectrostaticPruning.targets for why.
//
// One file, compiled twice:
//   - by MSBuild's RoslynCodeTaskFactory (the inline task ElectrostaticPruningWeakenGlibcxxNeed, against netstandard,
//     so only BCL and MSBuild APIs and no C# syntax newer than the task factory accepts);
//   - by the test project with ELECTROSTATIC_PRUNING_ELF_LOGIC_ONLY defined (the patcher without the MSBuild task),
//     which tests it on small synthetic ELF files.
using System;
using System.IO;
using System.Text;
#if !ELECTROSTATIC_PRUNING_ELF_LOGIC_ONLY
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>MSBuild task: runs <see cref="ElfVersionNeedPatcher"/> on each file; problems are warnings, never errors.</summary>
public class ElectrostaticPruningWeakenGlibcxxNeed : Task
{
    /// <summary>The code of the warning for a file that could not be patched (NoWarn takes it).</summary>
    public const string WarningCode = "EPNATIVE001";

    [Required]
    public ITaskItem[] Files { get; set; } = new ITaskItem[0];

    [Required]
    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path, VersionName);
            if (result.Outcome == ElfPatchOutcome.Warning)
            {
                Log.LogWarning(null, WarningCode, null, path, 0, 0, 0, 0,
                               "libLibTorchSharp native fix could not patch '" + path + "': " + result.Message + " (file left as is)");
            }
            else
            {
                Log.LogMessage(MessageImportance.Normal, "libLibTorchSharp native fix: " + path + ": " + result.Message);
            }
        }

        // A consumer's build never fails because of this fix.
        return true;
    }
}
#endif

/// <summary>What <see cref="ElfVersionNeedPatcher.MarkVersionNeedWeak"/> did to a file.</summary>
internal enum ElfPatchOutcome
{
    /// <summary>The version need was strong and is now weak; the file was rewritten.</summary>
    MarkedWeak,

    /// <summary>The version need was already weak; the file is untouched.</summary>
    AlreadyWeak,

    /// <summary>The file has no need for that version (or is not a 64-bit little-endian ELF); untouched.</summary>
    NothingToDo,

    /// <summary>The file could not be read, parsed or written; untouched. The build logs a warning.</summary>
    Warning,
}

/// <summary>The outcome and a one-line description of it.</summary>
internal sealed class ElfPatchResult
{
    public ElfPatchResult(ElfPatchOutcome outcome, string message)
    {
        Outcome = outcome;
        Message = message;
    }

    public ElfPatchOutcome Outcome { get; }

    public string Message { get; }

    public override string ToString()
    {
        return Outcome + ": " + Message;
    }
}

/// <summary>
/// Sets VER_FLG_WEAK on the Elf64_Vernaux entry (in the SHT_GNU_verneed section, .gnu.version_r) whose name is a given
/// version, e.g. GLIBCXX_3.4.32. A missing weak version is only a loader warning, so a library that needs the version
/// but never calls into it loads on systems whose libstdc++ lacks it, and nothing changes where the version exists.
/// </summary>
internal static class ElfVersionNeedPatcher
{
    /// <summary>SHT_GNU_verneed.</summary>
    public const uint SectionTypeVerneed = 0x6ffffffe;

    /// <summary>VER_FLG_WEAK in vna_flags.</summary>
    public const ushort VersionFlagWeak = 0x2;

    /// <summary>Suffix of the temporary file written next to the patched one and renamed over it.</summary>
    public const string TempSuffix = ".ep-weaken.tmp";

    private const int ElfHeaderSize = 64;
    private const int SectionHeaderMinSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    /// <summary>
    /// Marks the need for <paramref name="versionName"/> in the ELF file at <paramref name="path"/> weak, in place and
    /// atomically (a temporary file renamed over it, removed on any failure). Never throws: a file that cannot be read,
    /// parsed or written gives <see cref="ElfPatchOutcome.Warning"/> and is left as it was.
    /// </summary>
    public static ElfPatchResult MarkVersionNeedWeak(string path, string versionName)
    {
        byte[] elf;
        try
        {
            elf = File.ReadAllBytes(path);
        }
        catch (Exception ex)
        {
            return new ElfPatchResult(ElfPatchOutcome.Warning, "cannot read the file (" + ex.Message + ")");
        }

        ElfPatchResult result;
        int flagsOffset;
        try
        {
            result = Find(elf, versionName, out flagsOffset);
        }
        catch (InvalidDataException ex)
        {
            return new ElfPatchResult(ElfPatchOutcome.Warning, ex.Message);
        }
        catch (Exception ex)
        {
            // Whatever else a malformed file provokes: still a warning, never a failed build.
            return new ElfPatchResult(ElfPatchOutcome.Warning, "malformed ELF file (" + ex.GetType().Name + ": " + ex.Message + ")");
        }

        if (result.Outcome != ElfPatchOutcome.MarkedWeak)
        {
            return result;
        }

        ushort flags = (ushort)(elf[flagsOffset] | (elf[flagsOffset + 1] << 8));
        flags |= VersionFlagWeak;
        elf[flagsOffset] = (byte)flags;
        elf[flagsOffset + 1] = (byte)(flags >> 8);
        try
        {
            WriteAtomically(path, elf);
        }
        catch (Exception ex)
        {
            return new ElfPatchResult(ElfPatchOutcome.Warning, "cannot write the file (" + ex.Message + ")");
        }

        return result;
    }

    /// <summary>
    /// Finds the Vernaux entry; on <see cref="ElfPatchOutcome.MarkedWeak"/>, <paramref name="flagsOffset"/> is the offset
    /// of its vna_flags. Throws <see cref="InvalidDataException"/> for anything malformed.
    /// </summary>
    private static ElfPatchResult Find(byte[] elf, string versionName, out int flagsOffset)
    {
        flagsOffset = -1;
        if (elf.Length < 4 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf.Length < ElfHeaderSize)
        {
            throw new InvalidDataException("truncated ELF header (" + elf.Length + " bytes)");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            return new ElfPatchResult(ElfPatchOutcome.NothingToDo, "not a 64-bit little-endian ELF file (left as is)");
        }

        long sectionHeaders = ReadInt64(elf, 0x28, "e_shoff");
        int sectionHeaderSize = ReadUInt16(elf, 0x3A);
        int sectionCount = ReadUInt16(elf, 0x3C);
        if (sectionCount == 0)
        {
            return new ElfPatchResult(ElfPatchOutcome.NothingToDo, "no section headers; no " + versionName + " version need");
        }

        if (sectionHeaderSize < SectionHeaderMinSize)
        {
            throw new InvalidDataException("invalid section header size " + sectionHeaderSize);
        }

        Require(elf, sectionHeaders, (long)sectionHeaderSize * sectionCount, "section header table");
        for (int s = 0; s < sectionCount; s++)
        {
            long header = sectionHeaders + (long)s * sectionHeaderSize;
            if (ReadUInt32(elf, header + 4) != SectionTypeVerneed)
            {
                continue;
            }

            long verneedStart = ReadInt64(elf, header + 0x18, "sh_offset");
            long verneedSize = ReadInt64(elf, header + 0x20, "sh_size");
            Require(elf, verneedStart, verneedSize, ".gnu.version_r section");
            long stringSection = ReadUInt32(elf, header + 0x28);
            long entryCount = ReadUInt32(elf, header + 0x2C);
            if (stringSection >= sectionCount)
            {
                throw new InvalidDataException("version-need section links to missing section " + stringSection);
            }

            long stringHeader = sectionHeaders + stringSection * sectionHeaderSize;
            long stringsStart = ReadInt64(elf, stringHeader + 0x18, "sh_offset");
            long stringsSize = ReadInt64(elf, stringHeader + 0x20, "sh_size");
            Require(elf, stringsStart, stringsSize, "string table");

            long verneed = verneedStart;
            for (long n = 0; n < entryCount; n++)
            {
                RequireWithin(verneed, VerneedSize, verneedStart, verneedSize, "Verneed entry");
                int auxCount = ReadUInt16(elf, verneed + 2);
                long aux = verneed + ReadUInt32(elf, verneed + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    RequireWithin(aux, VernauxSize, verneedStart, verneedSize, "Vernaux entry");
                    long name = ReadUInt32(elf, aux + 8);
                    if (name >= stringsSize)
                    {
                        throw new InvalidDataException("version name outside the string table");
                    }

                    if (ReadCString(elf, stringsStart + name, stringsStart + stringsSize) == versionName)
                    {
                        if ((ReadUInt16(elf, aux + 4) & VersionFlagWeak) != 0)
                        {
                            return new ElfPatchResult(ElfPatchOutcome.AlreadyWeak, versionName + " is already weak");
                        }

                        flagsOffset = checked((int)(aux + 4));
                        return new ElfPatchResult(ElfPatchOutcome.MarkedWeak, "marked " + versionName + " weak");
                    }

                    long nextAux = ReadUInt32(elf, aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += nextAux;
                }

                long next = ReadUInt32(elf, verneed + 12);
                if (next == 0)
                {
                    break;
                }

                verneed += next;
            }
        }

        return new ElfPatchResult(ElfPatchOutcome.NothingToDo, "no " + versionName + " version need (nothing to do)");
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        // Unique per process and call, in the same folder (so the rename stays on one file system); removed on failure.
        string temp = path + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + TempSuffix;
        try
        {
            File.WriteAllBytes(temp, bytes);
            // netstandard has no File.Move(overwrite): File.Replace is the atomic rename available there.
            File.Replace(temp, path, null);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static void Require(byte[] elf, long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset > elf.Length || length > elf.Length - offset)
        {
            throw new InvalidDataException("truncated ELF file: the " + what + " (" + length + " bytes at " + offset +
                                           ") lies beyond its " + elf.Length + " bytes");
        }
    }

    private static void RequireWithin(long offset, long length, long start, long size, string what)
    {
        if (offset < start || offset + length > start + size)
        {
            throw new InvalidDataException(what + " at " + offset + " lies outside its section");
        }
    }

    private static int ReadUInt16(byte[] elf, long offset)
    {
        Require(elf, offset, 2, "field");
        return elf[offset] | (elf[offset + 1] << 8);
    }

    private static long ReadUInt32(byte[] elf, long offset)
    {
        Require(elf, offset, 4, "field");
        return (long)ReadLittleEndian(elf, offset, 4);
    }

    private static long ReadInt64(byte[] elf, long offset, string what)
    {
        Require(elf, offset, 8, "field");
        ulong value = ReadLittleEndian(elf, offset, 8);
        if (value > int.MaxValue)
        {
            throw new InvalidDataException("invalid " + what + " " + value);
        }

        return (long)value;
    }

    private static ulong ReadLittleEndian(byte[] elf, long offset, int size)
    {
        ulong value = 0;
        for (int i = size - 1; i >= 0; i--)
        {
            value = (value << 8) | elf[offset + i];
        }

        return value;
    }

    private static string ReadCString(byte[] elf, long offset, long end)
    {
        long stop = offset;
        while (stop < end && elf[stop] != 0)
        {
            stop++;
        }

        return Encoding.ASCII.GetString(elf, (int)offset, (int)(stop - offset));
    }
}
