namespace Microsoft.ML.ElectrostaticPruning.TestSupport;

/// <summary>
/// Forces full, blocking garbage collections and finalizer runs on a background thread for as long as it lives: the
/// condition under which TorchSharp 0.107 frees a temporary <c>Scalar</c> (a finalizable wrapper of a native value) while
/// libtorch is still reading it. Code that passes no unguarded temporary to native code is unaffected; code that does
/// fails with "Expected false to be true ... toFloat at c10/core/Scalar.h" or "Unknown scalar type", or crashes.
/// Shared source of the tests and the benchmarks.
/// </summary>
internal sealed class GcPressure : IDisposable
{
    private readonly Thread _thread;
    private readonly int _generation;
    private volatile bool _stop;
    private long _collections;

    private GcPressure(int generation)
    {
        _generation = generation;
        _thread = new Thread(Run) { IsBackground = true, Name = "GC pressure" };
        _thread.Start();
    }

    /// <summary>Full collections forced so far.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    /// <summary>
    /// Starts collecting in a loop until the returned object is disposed: full collections by default, or only the
    /// youngest generation with <paramref name="generation"/> 0 (cheaper; a temporary Scalar is young when it is freed).
    /// </summary>
    public static GcPressure Start(int generation = 2) => new(generation);

    /// <summary>Stops the loop and waits for the thread.</summary>
    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        while (!_stop)
        {
            GC.Collect(_generation, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _collections);
        }
    }
}
