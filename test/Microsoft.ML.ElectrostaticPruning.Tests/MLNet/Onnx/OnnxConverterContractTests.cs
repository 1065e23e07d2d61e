using System.Reflection;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet.Onnx;

/// <summary>ONNX export compiles against publicized ML.NET converter internals; these tests fail when an update moves them.</summary>
public sealed class OnnxConverterContractTests
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    [Fact]
    public void OnnxConverterIsVersion0Point23WithTheInternalProtobufConversion()
    {
        var assembly = typeof(OnnxExportExtensions).Assembly;
        Assert.StartsWith("0.23.", assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
        var convert = typeof(OnnxExportExtensions).GetMethod("ConvertToOnnxProtobuf", All, [typeof(ModelOperationsCatalog), typeof(ITransformer), typeof(IDataView), typeof(string[])]);
        Assert.NotNull(convert);
        Assert.Equal("Microsoft.ML.Model.OnnxConverter.OnnxCSharpToProtoWrapper+ModelProto", convert.ReturnType.FullName);
    }

    [Fact]
    public void TheScoringViewIsATransformThatMlNetsConverterWalks()
    {
        var data = typeof(Microsoft.ML.Data.TextLoader).Assembly;
        var saveOnnx = data.GetType("Microsoft.ML.Model.OnnxConverter.ITransformCanSaveOnnx", throwOnError: true)!;
        var view = typeof(ElectrostaticCnnTransformer).Assembly.GetType("Microsoft.ML.ElectrostaticPruning.MLNet.ScoringDataView", throwOnError: true)!;
        Assert.True(saveOnnx.IsAssignableFrom(view));
    }
}
