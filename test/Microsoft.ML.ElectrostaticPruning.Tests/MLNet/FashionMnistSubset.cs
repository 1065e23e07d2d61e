using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.Tests.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Class-balanced slices of the embedded Fashion-MNIST files as IDataViews (the IDX reader's schema).</summary>
internal static class FashionMnistSubset
{
    /// <summary>The first <paramref name="count"/> images of the 6,000-image training file (interleaved classes, so any prefix is roughly balanced).</summary>
    public static IDataView Train(MLContext ml, int count) =>
        ml.Data.TakeRows(ml.Data.LoadFromIdxFiles(RepositoryData.TrainImages, RepositoryData.TrainLabels, KnownClassNames.FashionMnist), count);

    /// <summary>The first <paramref name="count"/> images of the 2,000-image test file.</summary>
    public static IDataView Test(MLContext ml, int count) =>
        ml.Data.TakeRows(ml.Data.LoadFromIdxFiles(RepositoryData.TestImages, RepositoryData.TestLabels, KnownClassNames.FashionMnist), count);
}
