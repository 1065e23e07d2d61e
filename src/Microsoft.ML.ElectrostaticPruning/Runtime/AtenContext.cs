using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Runtime;

/// <summary>
/// Switches in ATen's process-wide context (<c>at::globalContext()</c>) that TorchSharp 0.107 does not wrap: whether
/// convolutions may use oneDNN (MKL-DNN) and NNPACK. The functions are bound by their Itanium-ABI names in the
/// <c>libtorch_cpu</c> that TorchSharp already loaded (found by its soname, so the same copy, never a second one). On a
/// platform or libtorch build where they cannot be found, <see cref="IsAvailable"/> is false and the setters do nothing.
/// </summary>
internal static class AtenContext
{
    private static readonly Lazy<Bindings?> Api = new(Bind, LazyThreadSafetyMode.ExecutionAndPublication);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContextFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlagFunction(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool GetFlagFunction(IntPtr context);

    /// <summary>Whether the context switches were found in the loaded libtorch.</summary>
    public static bool IsAvailable => Api.Value is not null;

    /// <summary><c>at::Context::userEnabledMkldnn()</c>; null when unavailable.</summary>
    public static bool? MkldnnEnabled => Api.Value is { } api ? api.GetMkldnn(api.Context) : null;

    /// <summary><c>at::Context::setUserEnabledMkldnn(enabled)</c>; returns false when unavailable.</summary>
    public static bool SetMkldnnEnabled(bool enabled)
    {
        if (Api.Value is not { } api)
        {
            return false;
        }

        api.SetMkldnn(api.Context, enabled);
        return true;
    }

    /// <summary><c>at::Context::setUserEnabledNNPACK(enabled)</c>; returns false when unavailable.</summary>
    public static bool SetNnpackEnabled(bool enabled)
    {
        if (Api.Value is not { } api)
        {
            return false;
        }

        api.SetNnpack(api.Context, enabled);
        return true;
    }

    private static Bindings? Bind()
    {
        // Make sure TorchSharp has loaded libtorch before looking it up by soname.
        _ = torch.get_num_threads();
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libtorch_cpu.so", out var library))
        {
            return null;
        }

        if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var globalContext)
            || !NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledMkldnnEb", out var setMkldnn)
            || !NativeLibrary.TryGetExport(library, "_ZNK2at7Context17userEnabledMkldnnEv", out var getMkldnn)
            || !NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setNnpack))
        {
            return null;
        }

        var context = Marshal.GetDelegateForFunctionPointer<GlobalContextFunction>(globalContext)();
        return context == IntPtr.Zero
            ? null
            : new Bindings(
                context,
                Marshal.GetDelegateForFunctionPointer<SetFlagFunction>(setMkldnn),
                Marshal.GetDelegateForFunctionPointer<GetFlagFunction>(getMkldnn),
                Marshal.GetDelegateForFunctionPointer<SetFlagFunction>(setNnpack));
    }

    private sealed record Bindings(IntPtr Context, SetFlagFunction SetMkldnn, GetFlagFunction GetMkldnn, SetFlagFunction SetNnpack);
}
