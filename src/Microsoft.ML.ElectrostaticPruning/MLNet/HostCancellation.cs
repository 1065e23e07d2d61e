using Microsoft.ML.Runtime;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// ML.NET's cancellation: an <c>MLContext</c> cancelled through its internal <c>CancelExecution</c> marks every host
/// registered on it as cancelled (<c>ICancelable.IsCanceled</c>), and ML.NET's trainers stop at their next
/// <c>CheckAlive</c>. This library's runs poll the same flag wherever they check the caller's token.
/// </summary>
internal static class HostCancellation
{
    /// <summary>A stop on <paramref name="token"/> and on the cancellation of <paramref name="host"/>'s environment.</summary>
    public static TrainingStop Stop(IHost host, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new TrainingStop(token, () => host is ICancelable { IsCanceled: true });
    }
}
