using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>Adds the electrostatic-force CNN trainer to <c>mlContext.MulticlassClassification.Trainers</c>.</summary>
public static class ElectrostaticCnnCatalogExtensions
{
    /// <summary>
    /// Trains a CNN with the electrostatic-force penalty on the layers <paramref name="pruningPlan"/> prunes, prunes it,
    /// optionally fine-tunes it, and returns an estimator for pipelines (<c>.Append(...)</c>), <c>Fit</c> and
    /// <c>CrossValidate</c>. Other settings keep the defaults documented on <see cref="ElectrostaticCnnTrainer.Options"/>.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column. Default "Label".</param>
    /// <param name="featureColumnName">Vector of C x H x W Singles (planar CHW). Default "Features".</param>
    /// <param name="architecture">The network. Default <see cref="CnnArchitecture.SmallCnn"/>.</param>
    /// <param name="epochs">Training epochs, at least 1. Default 10.</param>
    /// <param name="pruningPlan">Plan text such as "0.5", "[0, 0.52, 0.52, 0.52, 0]" or "[0:0, 1-15:0.65]"; null for the default "sweep 0.5 rank folded compensate" (the paper's sweep at 0.5: VGG's first conv kept whole).</param>
    /// <param name="forceRate">Electrostatic force rate alpha_e of the default regularizer (the force on BatchNorm-folded charges from half-way, graded over the default any-ratio range 0.1-0.7), finite and at least 0. Default 1e-12.</param>
    /// <param name="batchSize">Images per SGD step, at least 1; a smaller training set trains with one batch of all rows. Default 128.</param>
    /// <param name="learningRateSchedule">
    /// Learning-rate schedule text "epoch:rate,...", e.g. "0:0.02,8:0.002", or "P1-scaled" / "P1" / "P2"; null for the
    /// default P1-scaled (<see cref="LearningRateSchedule.P1Scaled"/>: the paper's 0.1, 0.01 and 0.001 from 1/2 and 3/4
    /// of <paramref name="epochs"/>).
    /// </param>
    /// <param name="fineTuneEpochs">Epochs of fine-tuning after pruning (P2 schedule, weight decay 5e-4), at least 0. Default 0 (none).</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the exception names it.</exception>
    /// <exception cref="FormatException">The plan or the schedule cannot be parsed; the message names the offending token.</exception>
    /// <example>
    /// A complete program, an ML.NET image-folder pipeline with this trainer: <c>src/Samples/Examples/ImageFolderPipeline.cs</c> in the repository, run by
    /// <c>dotnet run -c Release --project src/Samples -- example image-folder</c>.
    /// </example>
    public static ElectrostaticCnnTrainer ElectrostaticCnn(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = ElectrostaticCnnTrainer.Defaults.LabelColumnName,
        string featureColumnName = ElectrostaticCnnTrainer.Defaults.FeatureColumnName,
        CnnArchitecture architecture = ElectrostaticCnnTrainer.Defaults.Architecture,
        int epochs = ElectrostaticCnnTrainer.Defaults.Epochs,
        string? pruningPlan = null,
        double forceRate = ElectrostaticCnnTrainer.Defaults.FoldedForceRate,
        int batchSize = ElectrostaticCnnTrainer.Defaults.BatchSize,
        string? learningRateSchedule = null,
        int fineTuneEpochs = ElectrostaticCnnTrainer.Defaults.FineTuneEpochs)
    {
        var options = new ElectrostaticCnnTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Architecture = architecture,
            Epochs = epochs,
            Regularizer = new FoldedForceRegularizer.Options { ForceRate = forceRate },
            BatchSize = batchSize,
            FineTuneEpochs = fineTuneEpochs,
        };
        if (pruningPlan is not null)
        {
            options.PruningPlan = PruningPlan.Parse(pruningPlan);
        }

        if (learningRateSchedule is not null)
        {
            options.LearningRateSchedule = LearningRateSchedule.Parse(learningRateSchedule);
        }

        return ElectrostaticCnn(catalog, options);
    }

    /// <summary>Trains, prunes and optionally fine-tunes a CNN with every setting of <paramref name="options"/>.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The settings; copied and checked now.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it.</exception>
    public static ElectrostaticCnnTrainer ElectrostaticCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ElectrostaticCnnTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ElectrostaticCnnTrainer(catalog.GetEnvironment(), options);
    }
}
