using System.Text;

namespace ElectrostaticPruning.Samples.Infrastructure;

/// <summary>Writes outputs (models, reports, figures) through a temporary sibling file that is renamed over the target, so an interrupted run never leaves half a file.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; creates the folder when needed.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string partial = $"{target}.{Guid.NewGuid():N}.partial";
        try
        {
            using (var stream = File.Create(partial))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(partial, target, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteText(string path, string text) => Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
}
