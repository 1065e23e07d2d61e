using Microsoft.ML;
using Microsoft.ML.ElectrostaticPruning;

namespace ElectrostaticPruning.Samples.Data;

/// <summary>Train and test views with a key <c>Label</c> and a <c>Features</c> vector of C x H x W floats in [0, 1].</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Test">Test rows (the data set's own split, or a held-out fraction).</param>
/// <param name="TrainCount">Rows in <paramref name="Train"/>.</param>
/// <param name="TestCount">Rows in <paramref name="Test"/>.</param>
/// <param name="Shape">Image shape.</param>
/// <param name="ClassNames">Class names in key order.</param>
/// <param name="Description">One line for logs, e.g. "Fashion-MNIST IDX at data/fashion-mnist: 6,000 train / 2,000 test, 1x28x28, 10 classes".</param>
internal sealed record LoadedData(
    IDataView Train,
    IDataView Test,
    int TrainCount,
    int TestCount,
    ImageShape Shape,
    IReadOnlyList<string> ClassNames,
    string Description);
