namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>Class names of the well-known image data sets, in label order, for the data readers' <c>classNames</c> arguments.</summary>
public static class KnownClassNames
{
    /// <summary>Fashion-MNIST (labels 0..9).</summary>
    public static IReadOnlyList<string> FashionMnist { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>MNIST digits (labels 0..9 named "0".."9").</summary>
    public static IReadOnlyList<string> Mnist { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>CIFAR-10 (labels 0..9).</summary>
    public static IReadOnlyList<string> Cifar10 { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
}
