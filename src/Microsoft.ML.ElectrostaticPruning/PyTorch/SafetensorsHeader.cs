namespace Microsoft.ML.ElectrostaticPruning.PyTorch;

/// <summary>The checked header of a safetensors file (see <see cref="SafetensorsFile.ReadHeader(Stream, string)"/>).</summary>
/// <param name="HeaderLength">Length N of the JSON header in bytes (the 8-byte length field not included), padding included.</param>
/// <param name="Entries">The tensors in data order.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings; empty when the file has none.</param>
internal sealed record SafetensorsHeader(long HeaderLength, IReadOnlyList<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Offset in the file of the first data byte: 8 + <see cref="HeaderLength"/>.</summary>
    public long DataStart => 8 + HeaderLength;
}
