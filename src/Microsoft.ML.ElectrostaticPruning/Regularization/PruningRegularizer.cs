using static TorchSharp.torch;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// A penalty added to the cross-entropy of the convolutions a pruning plan prunes, which prepares the filters the plan
/// removes. Choose one through <see cref="ElectrostaticCnnTrainer.Options.Regularizer"/>, like LightGBM's boosters:
/// <c>Regularizer = new FoldedForceRegularizer.Options { ForceRate = 1e-12 }</c> (the default),
/// <see cref="ElectrostaticForceRegularizer.Options"/> (the paper's force), <see cref="NetworkSlimmingRegularizer.Options"/>,
/// <see cref="L1Regularizer.Options"/>, or null for plain cross-entropy.
/// </summary>
public abstract class PruningRegularizer
{
    private protected PruningRegularizer()
    {
    }

    /// <summary>The scalar penalty for the weights of the regularized convs (each <c>[N, C, k, k]</c>); owned by the caller's dispose scope.</summary>
    internal abstract Tensor Penalty(IReadOnlyList<Tensor> weights);

    /// <summary>The settings of one regularizer kind; each kind's nested <c>Options</c> derives from this.</summary>
    public abstract class OptionsBase
    {
        private protected OptionsBase()
        {
        }

        /// <summary>
        /// First epoch (0-based) whose SGD steps add the penalty; the epochs before it train on cross-entropy alone. In
        /// [0, Epochs). Default null: the kind's own default (0, the paper's Algorithm 1, except for the folded force from
        /// random weights, see <see cref="FoldedForceRegularizer.Options"/>).
        /// </summary>
        public int? StartEpoch { get; set; }

        /// <summary>The name reports and tables use, e.g. "folded force".</summary>
        internal abstract string Name { get; }

        /// <summary>The kind's own settings for the options line, e.g. " (alpha_e 1e-11, k_e 8.99e+09)".</summary>
        internal abstract string Settings { get; }

        /// <summary><see cref="StartEpoch"/> or the kind's default for a run of <paramref name="epochs"/> epochs (from an initial model with <paramref name="warmStart"/>).</summary>
        internal int ResolveStartEpoch(int epochs, bool warmStart) => StartEpoch ?? DefaultStartEpoch(epochs, warmStart);

        /// <summary>Checks every setting; the exception names the option (<c>Kind.Options.Setting</c>), the value and the valid range.</summary>
        internal void Validate(int epochs, bool warmStart)
        {
            if (StartEpoch is int start && (start < 0 || start >= epochs))
            {
                throw new ArgumentOutOfRangeException(
                    OptionName(nameof(StartEpoch)), start, $"{OptionName(nameof(StartEpoch))} must lie in [0, Epochs) = [0, {epochs}) so that the {Name} acts on at least one epoch.");
            }

            ValidateSettings();
        }

        /// <summary>The regularizer of these settings for <paramref name="target"/>.</summary>
        internal abstract PruningRegularizer Create(RegularizationTarget target);

        /// <summary>A copy (the trainer keeps its own).</summary>
        internal OptionsBase Clone() => (OptionsBase)MemberwiseClone();

        /// <summary>"FoldedForceRegularizer.Options.ForceRate": how messages name a setting.</summary>
        internal string OptionName(string setting) => $"{GetType().DeclaringType?.Name}.Options.{setting}";

        /// <summary>The default of <see cref="StartEpoch"/>.</summary>
        private protected virtual int DefaultStartEpoch(int epochs, bool warmStart) => 0;

        /// <summary>Checks the kind's own settings.</summary>
        private protected abstract void ValidateSettings();

        /// <inheritdoc />
        public override string ToString() => Name + Settings;

        /// <summary>The options line of this regularizer in a training that prepares <paramref name="anyRatio"/>'s range (null: the plan alone).</summary>
        internal virtual string Describe(AnyRatioTrainingOptions? anyRatio) => ToString();
    }
}
