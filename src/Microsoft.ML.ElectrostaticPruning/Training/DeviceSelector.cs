using TorchSharp;

namespace Microsoft.ML.ElectrostaticPruning.Training;

/// <summary>Turns a <see cref="TrainingDevice"/> into a torch device, failing fast when CUDA is asked for but absent.</summary>
internal static class DeviceSelector
{
    /// <summary>The device for <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException"><see cref="TrainingDevice.Cuda"/> while <c>torch.cuda.is_available()</c> is false.</exception>
    public static torch.Device Resolve(TrainingDevice device) => device switch
    {
        TrainingDevice.Cpu => torch.CPU,
        TrainingDevice.Cuda when torch.cuda.is_available() => torch.CUDA,
        TrainingDevice.Cuda => throw new ArgumentException(
            $"Device is Cuda, but torch.cuda.is_available() is false: {LibTorch.Description} has no CUDA, or no NVIDIA GPU is visible. " +
            $"Use Device = Auto or Cpu; or, on a machine with an NVIDIA GPU, set {LibTorch.FolderVariable} to the torch/lib folder of a PyTorch {LibTorch.ExpectedVersion}.x CUDA install " +
            "(an application built without libtorch, see README \"GPU\"), or build with -p:TorchBackend=cuda.",
            nameof(TrainingOptions.Device)),
        TrainingDevice.Auto => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, "Device must be Auto, Cpu or Cuda."),
    };
}
