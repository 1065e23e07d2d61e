using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Models;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

public sealed class ImageDatasetTests
{
    [Fact]
    public void ImagesAreContiguousChwBlocks()
    {
        var data = new ImageDataset([1, 2, 3, 4, 5, 6, 7, 8], [1, 0], new ImageShape(2, 1, 2), 2);
        Assert.Equal(2, data.Count);
        Assert.Equal([5f, 6, 7, 8], data.Image(1).ToArray());
        var slice = data.Slice(1, 1);
        Assert.Equal([5f, 6, 7, 8], slice.Features);
        Assert.Equal([0], slice.Labels);
    }

    [Fact]
    public void AFeatureCountThatDoesNotMatchTheShapeIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new ImageDataset(new float[7], [0, 1], new ImageShape(2, 1, 2), 2));
        Assert.Equal("features", error.ParamName);
        Assert.Contains("2 images x 2x1x2 = 8", error.Message);
    }

    [Fact]
    public void ALabelOutsideTheClassRangeIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDataset(new float[8], [0, 2], new ImageShape(2, 1, 2), 2));
        Assert.Equal("labels", error.ParamName);
        Assert.Contains("[0, 1]", error.Message);
    }

    [Fact]
    public void FewerThanTwoClassesAreRejected() =>
        Assert.Equal("classCount", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDataset(new float[4], [0], new ImageShape(1, 2, 2), 1)).ParamName);
}
