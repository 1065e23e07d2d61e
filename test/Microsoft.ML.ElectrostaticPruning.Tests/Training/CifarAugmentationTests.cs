using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Training;

public sealed class CifarAugmentationTests
{
    // One 1x2x3 image:  1 2 3
    //                   4 5 6
    private static readonly float[] Image = [1, 2, 3, 4, 5, 6];
    private static readonly ImageShape Shape = new(1, 2, 3);

    private static float[] Crop(int offsetY, int offsetX, bool flip, float[]? image = null, ImageShape? shape = null)
    {
        image ??= Image;
        var result = new float[image.Length];
        CifarAugmentation.CropAndFlip(image, result, shape ?? Shape, offsetY, offsetX, flip);
        return result;
    }

    [Fact]
    public void TheCentreCropWithoutFlipIsTheImage() => Assert.Equal(Image, Crop(4, 4, false));

    [Fact]
    public void ACentreCropWithFlipMirrorsEachRow() => Assert.Equal([3, 2, 1, 6, 5, 4], Crop(4, 4, true));

    [Fact]
    public void ShiftedCropsPullInZeroPadding()
    {
        // Offset (5, 3): output(y, x) = input(y + 1, x - 1).
        Assert.Equal([0, 4, 5, 0, 0, 0], Crop(5, 3, false));

        // Offset (3, 5) then flip: crop(y, x) = input(y - 1, x + 1) = [[0,0,0],[2,3,0]], mirrored.
        Assert.Equal([0, 0, 0, 0, 3, 2], Crop(3, 5, true));
    }

    [Fact]
    public void ChannelsAreCroppedIdentically()
    {
        float[] twoChannels = [.. Image, .. Image.Select(v => v * 10)];
        Assert.Equal([0, 4, 5, 0, 0, 0, 0, 40, 50, 0, 0, 0], Crop(5, 3, false, twoChannels, new ImageShape(2, 2, 3)));
    }

    [Fact]
    public void TheSameRandomSeedGivesTheSameAugmentationAndEveryOutputComesFromTheImageOrPadding()
    {
        var a = new float[6];
        var b = new float[6];
        CifarAugmentation.Apply(Image, a, Shape, new Random(3));
        CifarAugmentation.Apply(Image, b, Shape, new Random(3));
        Assert.Equal(a, b);
        Assert.All(a, v => Assert.Contains(v, new float[] { 0, 1, 2, 3, 4, 5, 6 }));
    }

    [Fact]
    public void ShuffleIsASeededPermutationThatChangesBetweenEpochs()
    {
        var first = BatchAssembler.Shuffle(50, new Random(NetworkTrainer.EpochSeed(1, 0)));
        var again = BatchAssembler.Shuffle(50, new Random(NetworkTrainer.EpochSeed(1, 0)));
        var nextEpoch = BatchAssembler.Shuffle(50, new Random(NetworkTrainer.EpochSeed(1, 1)));

        Assert.Equal(Enumerable.Range(0, 50), first.Order());
        Assert.Equal(first, again);
        Assert.NotEqual(first, nextEpoch);
        Assert.NotEqual(Enumerable.Range(0, 50), first);
    }

    [Fact]
    public void EpochSeedsAreAFixedFunctionSoRunsReproduceAcrossProcesses()
    {
        // Pinned values: a per-process randomized hash (System.HashCode) would break resuming in a new process.
        Assert.Equal(595722552, NetworkTrainer.EpochSeed(1, 0));
        Assert.Equal(2103022959, NetworkTrainer.EpochSeed(1, 1));
        Assert.Equal(2065550767, NetworkTrainer.EpochSeed(0, 0));
    }
}
