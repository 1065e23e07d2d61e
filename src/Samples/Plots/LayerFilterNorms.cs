namespace ElectrostaticPruning.Samples.Plots;

/// <summary>The normalized L1 norms of the filters of one layer of one trained model (data of the paper's Figure 3).</summary>
/// <param name="Method">Training method (plain, L1-norm, electrostatic force).</param>
/// <param name="Layer">Layer name, e.g. "conv2" or "layer1.0.conv1".</param>
/// <param name="NormalizedNorms">One value per filter in [0, 1]: the filter's L1 norm divided by the layer's largest.</param>
internal sealed record LayerFilterNorms(string Method, string Layer, IReadOnlyList<double> NormalizedNorms);
