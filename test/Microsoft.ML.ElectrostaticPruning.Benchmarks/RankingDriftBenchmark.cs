using System.Globalization;
using Microsoft.ML.ElectrostaticPruning.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;
using Microsoft.ML.ElectrostaticPruning.Training;

namespace Microsoft.ML.ElectrostaticPruning.Benchmarks;

/// <summary>
/// How far the filter ranking moves while sandwich training runs: the simple overload's defaults (<c>--architectures</c>,
/// default VGG-11; <c>--seeds</c>, default 1; 10 epochs) on the embedded subset, and after every epoch, per ratio of the
/// paper's sweep (0.3, 0.5, 0.7), the share of the kept filters (all prunable convs together) that the plan's ranking
/// keeps now but did not keep after the previous epoch. The sandwich re-ranks at the start of every epoch, so the last
/// row is how much of what <c>Fit</c> prunes the last epoch's sub-networks did not train. Headline: that share at 0.5.
/// </summary>
internal sealed class RankingDriftBenchmark : IBenchmark
{
    private static readonly double[] Ratios = [0.3, 0.5, 0.7];

    public string Name => "ranking-drift";

    public string Description => "share of the kept filters that change between epochs under the default sandwich training (headline: last epoch, ratio 0.5, percent)";

    public double Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string folder = NewUserDefaultsBenchmark.FindEmbeddedData();
        int seed = context.Option("--seeds") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 1;
        int epochs = context.Option("--epochs") is { } e ? int.Parse(e, CultureInfo.InvariantCulture) : context.Quick ? 2 : 10;
        var architecture = Enum.Parse<CnnArchitecture>(context.Option("--architectures") ?? "Vgg11", ignoreCase: true);
        var ml = new MLContext(seed: seed);
        var view = ml.Data.LoadFromIdxFiles(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), KnownClassNames.FashionMnist);
        var shape = new ImageShape(1, 28, 28);
        var (features, labels) = TrainingDataReader.Read(view, view.Schema["Features"], view.Schema["Label"], shape.Size, "training data");
        var train = new ImageDataset(features, labels, shape, 10);

        var options = ml.MulticlassClassification.Trainers.ElectrostaticCnn("Label", "Features", architecture, epochs: epochs).TrainerOptions;
        var trainingOptions = options.ToTrainingOptions(seed, fineTune: false);
        TorchSharp.torch.manual_seed(seed);
        using var network = CnnZoo.Create(architecture, shape, 10);
        network.InputNormalization = options.InputNormalization;
        var recorder = new KeptSets(options.PruningPlan, context.Output);
        context.Output.WriteLine($"{architecture}, seed {seed}, {epochs} epochs, {trainingOptions.AnyRatio}, plan {options.PruningPlan}");
        context.Output.WriteLine($"| after epoch | {string.Join(" | ", Ratios.Select(r => $"changed at {r:F1}"))} |");
        context.Output.WriteLine($"|---:|{string.Concat(Ratios.Select(_ => "---:|"))}");
        new NetworkTrainer().Train(network, options.PruningPlan.WeightsToRegularize(network), train, null, trainingOptions, checkpoint: recorder);
        return recorder.LastChangedAtHalf;
    }

    public string Headline(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:F2}% of the filters kept at 0.5 changed in the last epoch");

    /// <summary>Records the kept filters after every epoch (it is called where a checkpoint is saved) and prints what changed.</summary>
    private sealed class KeptSets(PruningPlan plan, TextWriter output) : ICheckpointSlot
    {
        private HashSet<string>[]? _previous;

        public double LastChangedAtHalf { get; private set; }

        public (TrainingHistory History, FilterOrder? Order) Restore(CnnNetwork network, MomentumSgd optimizer) => (new(), null);

        public void Save(CnnNetwork network, MomentumSgd optimizer, TrainingHistory history, FilterOrder? order)
        {
            var current = Ratios.Select(ratio => Kept(network, ratio)).ToArray();
            if (_previous is not null)
            {
                double[] changed = [.. current.Select((set, i) => 100.0 * set.Count(f => !_previous[i].Contains(f)) / set.Count)];
                LastChangedAtHalf = changed[1];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {history.Count - 1} | {string.Join(" | ", changed.Select(c => c.ToString("F2", CultureInfo.InvariantCulture) + "%"))} |"));
            }

            _previous = current;
        }

        private HashSet<string> Kept(CnnNetwork network, double ratio)
        {
            var sweep = plan.SweepAt(network.Architecture, ratio);
            int[] removed = FilterPruner.RemovedCounts(network, sweep);
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (layer, i) in sweep.LayersToPrune(network).Select((l, i) => (l, i)))
            {
                double[] norms = FilterPruner.RankingNorms(network, layer, plan.Ranking);
                foreach (int f in FilterPruner.KeptFilterIndices(norms, layer.OutChannels - removed[i]))
                {
                    set.Add($"{layer.Name}:{f}");
                }
            }

            return set;
        }
    }
}
