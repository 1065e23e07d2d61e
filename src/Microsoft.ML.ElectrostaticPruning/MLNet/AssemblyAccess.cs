using System.Runtime.CompilerServices;

// Model persistence (ModelSaveContext, ModelLoadContext, LoadableClass) is internal to ML.NET 5.0.x.
// See build/Publicizer.targets.
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]
