using Microsoft.ML.Data;
using Microsoft.ML.ElectrostaticPruning.MLNet;
using Microsoft.ML.ElectrostaticPruning.Models;
using Microsoft.ML.ElectrostaticPruning.Pruning;

namespace Microsoft.ML;

/// <summary>Adds the electrostatic-force CNN trainer to <c>mlContext.MulticlassClassification.Trainers</c>.</summary>
public static class ElectrostaticCnnCatalogExtensions
{
    /// <summary>
    /// Trains a CNN with the electrostatic-force penalty on the layers <paramref name="pruningPlan"/> prunes, prunes it and
    /// returns an estimator for pipelines (<c>.Append(...)</c>), <c>Fit</c> and <c>CrossValidate</c>. Other settings keep the
    /// defaults documented on <see cref="ElectrostaticCnnTrainer.Options"/>.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column. Default "Label".</param>
    /// <param name="featureColumnName">Vector of C x H x W Singles (planar CHW). Default "Features".</param>
    /// <param name="architecture">The network. Default <see cref="CnnArchitecture.SmallCnn"/>.</param>
    /// <param name="epochs">Training epochs, at least 1. Default 10.</param>
    /// <param name="pruningPlan">Plan text such as "0.5", "[0, 0.52, 0.52, 0.52, 0]" or "[0:0, 1-15:0.65]"; null for the default uniform 0.5.</param>
    /// <param name="forceRate">Electrostatic force rate alpha_e, finite and at least 0. Default 1e-12.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">An argument is out of range or the plan cannot be parsed.</exception>
    public static ElectrostaticCnnTrainer ElectrostaticCnn(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label,
        string featureColumnName = DefaultColumnNames.Features,
        CnnArchitecture architecture = CnnArchitecture.SmallCnn,
        int epochs = 10,
        string? pruningPlan = null,
        double forceRate = 1e-12)
    {
        var options = new ElectrostaticCnnTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Architecture = architecture,
            Epochs = epochs,
            ForceRate = forceRate,
        };
        if (pruningPlan is not null)
        {
            options.PruningPlan = PruningPlan.Parse(pruningPlan);
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
