namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>Test classes in this collection share one <see cref="TrainedFashionModel"/> (trained once per test run).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedFashionModelCollection : ICollectionFixture<TrainedFashionModel>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Trained Fashion-MNIST model";
}
