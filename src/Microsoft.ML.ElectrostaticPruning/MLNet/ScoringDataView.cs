using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.MLNet;

/// <summary>
/// The lazy output of <c>Transform</c>: input rows with Score and PredictedLabel appended. Its cursor reads the features
/// of up to <see cref="BatchSize"/> rows, runs one forward pass, and then yields those rows one by one.
/// </summary>
/// <remarks>
/// Pass-through columns are read from a second input cursor that moves in lock step with the rows being yielded
/// (same columns order, same shuffle seed), instead of being buffered per batch: upstream getters may reuse or dispose
/// their values (LoadImages disposes each MLImage), so values cannot be held while the lead cursor runs ahead.
/// When no score column is requested, nothing is scored and the input cursor is passed through.
/// </remarks>
internal sealed partial class ScoringDataView : IDataView
{
    private readonly IDataView _input;
    private readonly ScoringBinding _binding;
    private readonly NetworkScorer _scorer;

    public ScoringDataView(IDataView input, ScoringBinding binding, NetworkScorer scorer, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _input = input;
        _binding = binding;
        _scorer = scorer;
        BatchSize = batchSize;
    }

    /// <summary>Rows per forward pass.</summary>
    public int BatchSize { get; }

    /// <inheritdoc />
    public bool CanShuffle => _input.CanShuffle;

    /// <inheritdoc />
    public DataViewSchema Schema => _binding.OutputSchema;

    /// <inheritdoc />
    public long? GetRowCount() => _input.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputColumns = needed.Where(i => !_binding.IsScoreColumn(i)).Select(i => _binding.InputSchema[i]).ToArray();
        bool score = needed.Any(_binding.IsScoreColumn);
        if (!score)
        {
            return new PassThroughCursor(_input.GetRowCursor(inputColumns, rand), Schema);
        }

        // Both input cursors must visit the same rows in the same order: give them identical random sources.
        int? seed = rand?.Next();
        var lead = _input.GetRowCursor([_binding.FeatureColumn], seed is null ? null : new Random(seed.Value));
        var lag = _input.GetRowCursor(inputColumns, seed is null ? null : new Random(seed.Value));
        return new BatchCursor(this, lead, lag, needed);
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>Delegates everything to an input cursor; only the schema differs (score columns are inactive).</summary>
    private sealed class PassThroughCursor(DataViewRowCursor input, DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < input.Schema.Count && input.IsColumnActive(input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            }

            return input.GetGetter<TValue>(input.Schema[column.Index]);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class BatchCursor : DataViewRowCursor
    {
        private readonly ScoringDataView _parent;
        private readonly DataViewRowCursor _lead;
        private readonly DataViewRowCursor _lag;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly float[] _inputs;
        private readonly float[] _scores;
        private readonly int _classes;
        private VBuffer<float> _featureBuffer;
        private int _rowsInBatch;
        private int _rowInBatch;
        private long _position = -1;
        private bool _done;

        public BatchCursor(ScoringDataView parent, DataViewRowCursor lead, DataViewRowCursor lag, HashSet<int> active)
        {
            _parent = parent;
            _lead = lead;
            _lag = lag;
            _active = active;
            _features = lead.GetGetter<VBuffer<float>>(parent._binding.FeatureColumn);
            _classes = parent._scorer.ClassCount;
            _inputs = new float[parent.BatchSize * parent._scorer.InputSize];
            _scores = new float[parent.BatchSize * _classes];
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_done)
            {
                return false;
            }

            if (_rowInBatch + 1 >= _rowsInBatch && !FillBatch())
            {
                _done = true;
                return false;
            }

            _rowInBatch++;
            if (!_lag.MoveNext())
            {
                throw new InvalidOperationException("The input data view returned fewer rows on its second cursor than on its first; it must produce the same rows for the same random seed.");
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _lag.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            }

            var binding = _parent._binding;
            if (column.Index == binding.ScoreIndex)
            {
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) =>
                    PredictionGetters.CopyScores(_scores, CurrentOffset(), _classes, ref value);
                return PredictionGetters.Cast<TValue>(score, column);
            }

            if (column.Index == binding.PredictedLabelIndex)
            {
                var label = PredictionGetters.PredictedLabel(binding.Labels.KeyType.RawType, () => PredictionGetters.ArgMax(_scores, CurrentOffset(), _classes));
                return PredictionGetters.Cast<TValue>(label, column);
            }

            return _lag.GetGetter<TValue>(_lag.Schema[column.Index]);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _lead.Dispose();
                _lag.Dispose();
            }

            base.Dispose(disposing);
        }

        private int CurrentOffset()
        {
            if (_position < 0 || _done)
            {
                throw new InvalidOperationException("The cursor is not positioned on a row: call MoveNext first.");
            }

            return _rowInBatch * _classes;
        }

        /// <summary>Reads the next batch of features from the lead cursor and scores it; false when the input is exhausted.</summary>
        private bool FillBatch()
        {
            int size = _parent._scorer.InputSize;
            int count = 0;
            while (count < _parent.BatchSize && _lead.MoveNext())
            {
                _features(ref _featureBuffer);
                if (_featureBuffer.Length != size)
                {
                    throw new InvalidOperationException($"Row {_lead.Position} of feature column '{_parent._binding.FeatureColumn.Name}' has {_featureBuffer.Length} values, expected {size}.");
                }

                _featureBuffer.CopyTo(_inputs.AsSpan(count * size, size));
                count++;
            }

            if (count == 0)
            {
                return false;
            }

            _parent._scorer.Score(_inputs, count, _scores);
            _rowsInBatch = count;
            _rowInBatch = -1;
            return true;
        }
    }
}
