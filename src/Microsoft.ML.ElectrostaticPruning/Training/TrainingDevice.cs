namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>Where training runs.</summary>
public enum TrainingDevice
{
    /// <summary>CUDA when the loaded libtorch build sees a GPU, otherwise the CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>The first CUDA GPU; fails fast when none is available (the default TorchSharp-cpu build has none).</summary>
    Cuda,
}
