// MSBuild inline task (RoslynCodeTaskFactory). Kept free of dependencies beyond the BCL and MSBuild.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class ElectrostaticPruningWeakenGlibcxxNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        if (SystemLibStdCxxProvides(VersionName))
        {
            Log.LogMessage(MessageImportance.Low, "libstdc++ on this system provides " + VersionName + "; no patch needed.");
            return true;
        }

        foreach (var item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                string outcome = Patch(path, VersionName);
                Log.LogMessage(MessageImportance.Normal, "libLibTorchSharp native fix: " + path + ": " + outcome);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                Log.LogWarning("libLibTorchSharp native fix could not patch '" + path + "': " + ex.Message);
            }
        }

        return !Log.HasLoggedErrors;
    }

    // A libstdc++ that already defines the version needs no patch (Debian 13, Ubuntu 24.04, ...).
    private static bool SystemLibStdCxxProvides(string versionName)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6",
        };
        byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
        foreach (string candidate in candidates)
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            return Contains(File.ReadAllBytes(candidate), needle);
        }

        return false;
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on the Vernaux entry named <paramref name="versionName"/>; returns what happened.</summary>
    public static string Patch(string path, string versionName)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            return "skipped (not a little-endian ELF64 file)";
        }

        ulong sectionHeaderOffset = BitConverter.ToUInt64(elf, 0x28);
        int sectionHeaderSize = BitConverter.ToUInt16(elf, 0x3A);
        int sectionCount = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < sectionCount; s++)
        {
            int header = checked((int)sectionHeaderOffset + s * sectionHeaderSize);
            if (BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed)
            {
                continue;
            }

            int verneedOffset = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            int stringSection = (int)BitConverter.ToUInt32(elf, header + 0x28);
            int entryCount = (int)BitConverter.ToUInt32(elf, header + 0x2C);
            int stringHeader = checked((int)sectionHeaderOffset + stringSection * sectionHeaderSize);
            int stringsOffset = checked((int)BitConverter.ToUInt64(elf, stringHeader + 0x18));

            int verneed = verneedOffset;
            for (int n = 0; n < entryCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, verneed + 2);
                int aux = verneed + (int)BitConverter.ToUInt32(elf, verneed + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    int nameOffset = stringsOffset + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (ReadCString(elf, nameOffset) == versionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0)
                        {
                            return "already weak";
                        }

                        BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, aux + 4);
                        WriteAtomically(path, elf);
                        return "marked " + versionName + " weak";
                    }

                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }

                verneed += (int)BitConverter.ToUInt32(elf, verneed + 12);
            }
        }

        return "no " + versionName + " version need (nothing to do)";
    }

    private static string ReadCString(byte[] bytes, int offset)
    {
        int end = offset;
        while (end < bytes.Length && bytes[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(bytes, offset, end - offset);
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temp = path + ".ep-tmp";
        // Inline tasks compile against netstandard: File.Replace is the atomic rename available there.
        File.WriteAllBytes(temp, bytes);
        File.Replace(temp, path, null);
    }
}
