using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

public sealed class ImageShapeInferenceTests
{
    [Theory]
    [InlineData(784, 1, 28)]
    [InlineData(1024, 1, 32)]
    [InlineData(2352, 3, 28)]
    [InlineData(3072, 3, 32)]
    [InlineData(150528, 3, 224)]
    public void AFlatSizeOfASquareImageGivesItsShape(int size, int channels, int side) =>
        Assert.Equal(new ImageShape(channels, side, side), ElectrostaticCnnTrainer.ResolveShape(Column(new VectorDataViewType(NumberDataViewType.Single, size)), null));

    [Fact]
    public void ThreeDimensionsOfTheVectorTypeWinOverTheSize()
    {
        // 1 x 16 x 64 = 1024 would otherwise be read as 1 x 32 x 32.
        var type = new VectorDataViewType(NumberDataViewType.Single, 1, 16, 64);
        Assert.Equal(new ImageShape(1, 16, 64), ElectrostaticCnnTrainer.ResolveShape(Column(type), null));
    }

    [Fact]
    public void AnExplicitShapeWinsWhenItsSizeMatches()
    {
        var type = new VectorDataViewType(NumberDataViewType.Single, 1024);
        Assert.Equal(new ImageShape(4, 16, 16), ElectrostaticCnnTrainer.ResolveShape(Column(type), new ImageShape(4, 16, 16)));
    }

    [Theory]
    [InlineData(50)]
    [InlineData(3 * 50)]
    public void OtherSizesNeedAnExplicitShape(int size)
    {
        var ex = Assert.Throws<ArgumentException>(() => ElectrostaticCnnTrainer.ResolveShape(Column(new VectorDataViewType(NumberDataViewType.Single, size)), null));
        Assert.Equal("ImageShape", ex.ParamName);
    }

    private static DataViewSchema.Column Column(VectorDataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Features", type);
        return builder.ToSchema()["Features"];
    }
}
