using System.Globalization;

namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>
/// A multi-step learning-rate schedule: the rate of the last milestone whose epoch is &lt;= the current epoch.
/// Written as <c>"epoch:rate,epoch:rate,..."</c>, e.g. the paper's P1 <c>"0:1e-1,100:1e-2,150:1e-3"</c>.
/// </summary>
public sealed class LearningRateSchedule
{
    private const string P1ScaledName = "P1-scaled";

    private readonly LearningRateMilestone[] _milestones;

    // Non-null: the milestones are at these fractions of a budget of this many epochs and move with the budget.
    private readonly int? _referenceEpochs;

    /// <summary>Creates a schedule from milestones.</summary>
    /// <param name="milestones">
    /// At least one milestone; the first at epoch 0, epochs strictly increasing, rates finite and &gt; 0.
    /// </param>
    public LearningRateSchedule(IEnumerable<LearningRateMilestone> milestones)
        : this(milestones, referenceEpochs: null)
    {
    }

    private LearningRateSchedule(IEnumerable<LearningRateMilestone> milestones, int? referenceEpochs)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = milestones.ToArray();
        _referenceEpochs = referenceEpochs;
        if (Problem(_milestones) is string problem)
        {
            throw new ArgumentException(problem, nameof(milestones));
        }
    }

    /// <summary>The paper's P1: <c>0:1e-1, 100:1e-2, 150:1e-3</c> (training from scratch, 200 epochs).</summary>
    public static LearningRateSchedule P1 { get; } = new([new(0, 1e-1), new(100, 1e-2), new(150, 1e-3)]);

    /// <summary>
    /// The paper's P1 at the same fractions of whatever budget it trains for: 0.1, then 0.01 from epoch ⌊E/2⌋ and
    /// 0.001 from epoch ⌊3E/4⌋ of E epochs (exactly <see cref="P1"/> at E = 200; 10 epochs: <c>0:0.1,5:0.01,7:0.001</c>;
    /// a milestone that falls on or before the previous one, or at or past E, is left out). The trainer's default, so that
    /// a short run's rate decays as the paper's 200-epoch run does. Written <c>"P1-scaled"</c>.
    /// </summary>
    public static LearningRateSchedule P1Scaled { get; } = new(P1.Milestones, referenceEpochs: 200);

    /// <summary>Whether the milestones move with the number of epochs trained (<see cref="P1Scaled"/>); see <see cref="ForEpochs"/>.</summary>
    public bool ScalesWithEpochs => _referenceEpochs is not null;

    /// <summary>The paper's P2: <c>0:1e-2, 60:1e-3, 90:1e-4</c> (fine-tuning).</summary>
    public static LearningRateSchedule P2 { get; } = new([new(0, 1e-2), new(60, 1e-3), new(90, 1e-4)]);

    /// <summary>The milestones, first at epoch 0, epochs increasing.</summary>
    public IReadOnlyList<LearningRateMilestone> Milestones => _milestones;

    /// <summary>A single rate for every epoch.</summary>
    /// <param name="rate">Learning rate, finite and &gt; 0.</param>
    public static LearningRateSchedule Constant(double rate) => new([new(0, rate)]);

    /// <summary>
    /// Parses <c>"P1"</c>, <c>"P1-scaled"</c>, <c>"P2"</c> or <c>"epoch:rate,epoch:rate,..."</c> (invariant culture, optional spaces and
    /// surrounding brackets), e.g. <c>"0:1e-1,100:1e-2,150:1e-3"</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not in that format, or the milestones are invalid.</exception>
    public static LearningRateSchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim().Trim('(', ')', '[', ']', '{', '}').Trim();
        if (trimmed.Equals("P1", StringComparison.OrdinalIgnoreCase))
        {
            return P1;
        }

        if (trimmed.Equals(P1ScaledName, StringComparison.OrdinalIgnoreCase))
        {
            return P1Scaled;
        }

        if (trimmed.Equals("P2", StringComparison.OrdinalIgnoreCase))
        {
            return P2;
        }

        var milestones = new List<LearningRateMilestone>();
        foreach (string part in trimmed.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] pair = part.Split(':', StringSplitOptions.TrimEntries);
            if (pair.Length != 2
                || !int.TryParse(pair[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch)
                || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double rate))
            {
                throw new FormatException($"Invalid learning-rate schedule \"{text}\": expected \"P1\", \"P1-scaled\", \"P2\" or \"epoch:rate,epoch:rate,...\" such as \"0:1e-1,100:1e-2,150:1e-3\"; could not read \"{part}\".");
            }

            milestones.Add(new LearningRateMilestone(epoch, rate));
        }

        return Problem(milestones) is string problem
            ? throw new FormatException($"Invalid learning-rate schedule \"{text}\": {problem} Expected \"epoch:rate,epoch:rate,...\" such as \"0:1e-1,100:1e-2,150:1e-3\".")
            : new LearningRateSchedule(milestones);
    }

    /// <summary>
    /// The schedule a run of <paramref name="epochs"/> epochs uses: this one, or for a schedule that
    /// <see cref="ScalesWithEpochs"/> its milestones moved to the same fractions of <paramref name="epochs"/> (rounded down).
    /// </summary>
    /// <param name="epochs">Epochs of the run, at least 1.</param>
    public LearningRateSchedule ForEpochs(int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        if (_referenceEpochs is not int reference)
        {
            return this;
        }

        var scaled = new List<LearningRateMilestone> { _milestones[0] };
        foreach (var (epoch, rate) in _milestones.Skip(1))
        {
            int at = (int)((long)epoch * epochs / reference);
            if (at > scaled[^1].Epoch && at < epochs)
            {
                scaled.Add(new LearningRateMilestone(at, rate));
            }
        }

        return new LearningRateSchedule(scaled);
    }

    /// <summary>
    /// The learning rate of <paramref name="epoch"/> (0-based, &gt;= 0); for a schedule that <see cref="ScalesWithEpochs"/>,
    /// at its reference budget (200 epochs for <see cref="P1Scaled"/>): use <see cref="ForEpochs"/> for a run's rates.
    /// </summary>
    public double RateAt(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        double rate = _milestones[0].Rate;
        foreach (var milestone in _milestones)
        {
            if (milestone.Epoch > epoch)
            {
                break;
            }

            rate = milestone.Rate;
        }

        return rate;
    }

    private static string? Problem(IReadOnlyList<LearningRateMilestone> milestones)
    {
        if (milestones.Count == 0)
        {
            return "A learning-rate schedule needs at least one milestone, e.g. \"0:0.1\".";
        }

        if (milestones[0].Epoch != 0)
        {
            return $"The first learning-rate milestone must be at epoch 0, got epoch {milestones[0].Epoch}.";
        }

        for (int i = 0; i < milestones.Count; i++)
        {
            var (epoch, rate) = milestones[i];
            if (!double.IsFinite(rate) || rate <= 0)
            {
                return $"The learning rate at epoch {epoch} must be finite and greater than 0, got {rate.ToString(CultureInfo.InvariantCulture)}.";
            }

            if (i > 0 && epoch <= milestones[i - 1].Epoch)
            {
                return $"Learning-rate milestone epochs must strictly increase, got {milestones[i - 1].Epoch} then {epoch}.";
            }
        }

        return null;
    }

    /// <summary>
    /// The schedule as <c>"epoch:rate,..."</c> (round-trip precision, invariant culture), or <c>"P1-scaled"</c>;
    /// <see cref="Parse"/> reads it back.
    /// </summary>
    public override string ToString() => _referenceEpochs is not null ? P1ScaledName
        : string.Join(",", _milestones.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Epoch}:{m.Rate:R}")));
}
