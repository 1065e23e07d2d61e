using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// Row-at-a-time scoring for <c>PredictionEngine</c>: every input column passes through; Score and PredictedLabel are
/// computed from the current features on demand.
/// </summary>
internal sealed class ScoringRowMapper : IRowToRowMapper
{
    private readonly ScoringBinding _binding;
    private readonly NetworkScorer _scorer;

    public ScoringRowMapper(ScoringBinding binding, NetworkScorer scorer)
    {
        _binding = binding;
        _scorer = scorer;
    }

    /// <inheritdoc />
    public DataViewSchema InputSchema => _binding.InputSchema;

    /// <inheritdoc />
    public DataViewSchema OutputSchema => _binding.OutputSchema;

    /// <inheritdoc />
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var indices = dependingColumns.Select(c => c.Index).ToArray();
        var inputs = indices.Where(i => !_binding.IsScoreColumn(i)).Select(i => InputSchema[i]);
        return indices.Any(_binding.IsScoreColumn)
            ? inputs.Append(_binding.FeatureColumn).DistinctBy(c => c.Index).ToArray()
            : inputs.ToArray();
    }

    /// <inheritdoc />
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Schema != InputSchema)
        {
            throw new ArgumentException("The row's schema is not the schema this mapper was created for.", nameof(input));
        }

        return new Row(this, input, activeColumns.Select(c => c.Index).ToHashSet());
    }

    /// <summary>
    /// One input row with Score and PredictedLabel. The features are read once per input row (the first time either output
    /// is asked for at a new <see cref="DataViewRow.Position"/>, which PredictionEngine advances on every Predict), and both
    /// outputs come from that one forward pass, as ML.NET's own scorers do: an upstream getter may hand out a value that
    /// is only valid once, e.g. ResizeImages disposes the image it made when it is called again.
    /// </summary>
    private sealed class Row : DataViewRow
    {
        private readonly ScoringRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<VBuffer<float>>? _features;
        private readonly float[] _current;
        private readonly float[] _scores;
        private VBuffer<float> _buffer;
        private long _scoredPosition = -1;
        private bool _hasScores;

        public Row(ScoringRowMapper parent, DataViewRow input, HashSet<int> active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            int size = parent._scorer.InputSize;
            _current = new float[size];
            _scores = new float[parent._scorer.ClassCount];
            if (active.Any(parent._binding.IsScoreColumn))
            {
                _features = input.GetGetter<VBuffer<float>>(parent._binding.FeatureColumn);
            }
        }

        public override DataViewSchema Schema => _parent.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this row.");
            }

            var binding = _parent._binding;
            int classes = _parent._scorer.ClassCount;
            if (column.Index == binding.ScoreIndex)
            {
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) => PredictionGetters.CopyScores(CurrentScores(), 0, classes, ref value);
                return PredictionGetters.Cast<TValue>(score, column);
            }

            if (column.Index == binding.PredictedLabelIndex)
            {
                var label = PredictionGetters.PredictedLabel(binding.Labels.KeyType.RawType, () => PredictionGetters.ArgMax(CurrentScores(), 0, classes));
                return PredictionGetters.Cast<TValue>(label, column);
            }

            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }

            base.Dispose(disposing);
        }

        private float[] CurrentScores()
        {
            long position = _input.Position;
            if (_hasScores && position == _scoredPosition)
            {
                return _scores;
            }

            _features!(ref _buffer);
            if (_buffer.Length != _current.Length)
            {
                throw new InvalidOperationException($"Feature column '{_parent._binding.FeatureColumn.Name}' has {_buffer.Length} values, expected {_current.Length}.");
            }

            _buffer.CopyTo(_current);
            _parent._scorer.Score(_current, 1, _scores);
            _scoredPosition = position;
            _hasScores = true;
            return _scores;
        }
    }
}
