using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// CPU time consumed by the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). With one libtorch thread all of a
/// forward pass runs on the calling thread, so this measures its work without the time spent waiting for a core,
/// which dominates wall-clock time on a shared, overloaded machine. Unavailable elsewhere.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Whether the clock can be read on this system.</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && TryRead(out _);

    /// <summary>The calling thread's CPU time in seconds.</summary>
    public static double Seconds() =>
        TryRead(out double seconds) ? seconds : throw new PlatformNotSupportedException("The thread CPU clock is only read on Linux.");

    private static bool TryRead(out double seconds)
    {
        seconds = 0;
        try
        {
            if (ClockGetTime(ClockThreadCpuTimeId, out var time) != 0)
            {
                return false;
            }

            seconds = time.Seconds + (time.Nanoseconds * 1e-9);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Debug.WriteLine(e.Message);
            return false;
        }
    }

    // DllImport rather than LibraryImport: the blittable signature needs no marshalling code and no unsafe blocks.
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
