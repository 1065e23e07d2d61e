using System.Runtime.CompilerServices;

// ONNX export builds on ML.NET's converter: ConvertToOnnxProtobuf and its ModelProto are internal to
// Microsoft.ML.OnnxConverter 0.23.x. See build/Publicizer.targets.
[assembly: IgnoresAccessChecksTo("Microsoft.ML.OnnxConverter")]
