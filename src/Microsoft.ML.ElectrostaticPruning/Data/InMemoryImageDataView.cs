using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.Data;

/// <summary>
/// An <see cref="IDataView"/> over images held as bytes: a <c>Label</c> key column (with the class names as
/// <c>KeyValues</c>, so no MapValueToKey is needed) and a <c>Features</c> column of type
/// <c>Vector&lt;Single, C, H, W&gt;</c> in planar CHW order, each byte multiplied by a scale (1/255 by default,
/// matching <c>ExtractPixels(scaleImage: 1f / 255)</c>). Bytes are converted on demand, so 60,000 images of 28x28
/// cost 47 MB, not 188.
/// </summary>
internal sealed class InMemoryImageDataView : IDataView
{
    /// <summary>Name of the label column.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>Name of the feature column.</summary>
    public const string FeaturesColumnName = "Features";

    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly int _imageSize;
    private readonly float _scale;

    /// <summary>Creates the view; <paramref name="pixels"/> holds <c>labels.Length * C * H * W</c> bytes, planar CHW per image.</summary>
    public InMemoryImageDataView(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames, float scale)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (classNames.Count == 0)
        {
            throw new ArgumentException("At least one class name is required.", nameof(classNames));
        }

        if (!float.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The pixel scale must be a positive finite number (1/255 maps bytes to 0..1).");
        }

        _imageSize = channels * height * width;
        if (pixels.LongLength != (long)labels.Length * _imageSize)
        {
            throw new ArgumentException($"Expected {labels.Length} images of {channels}x{height}x{width} = {(long)labels.Length * _imageSize} bytes, got {pixels.LongLength}.", nameof(pixels));
        }

        int bad = Array.FindIndex(labels, l => l < 0 || l >= classNames.Count);
        if (bad >= 0)
        {
            throw new ArgumentException($"Label {labels[bad]} of image {bad} is outside 0..{classNames.Count - 1} (one per class name).", nameof(labels));
        }

        _pixels = pixels;
        _labels = labels;
        _scale = scale;

        var keyValues = new VBuffer<ReadOnlyMemory<char>>(classNames.Count, classNames.Select(n => n.AsMemory()).ToArray());
        var labelAnnotations = new DataViewSchema.Annotations.Builder();
        labelAnnotations.AddKeyValues(classNames.Count, TextDataViewType.Instance, (ref VBuffer<ReadOnlyMemory<char>> v) => keyValues.CopyTo(ref v));

        var builder = new DataViewSchema.Builder();
        builder.AddColumn(LabelColumnName, new KeyDataViewType(typeof(uint), classNames.Count), labelAnnotations.ToAnnotations());
        builder.AddColumn(FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, channels, height, width));
        Schema = builder.ToSchema();
    }

    /// <inheritdoc />
    public bool CanShuffle => true;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <summary>Number of images.</summary>
    public int Count => _labels.Length;

    /// <inheritdoc />
    public long? GetRowCount() => _labels.Length;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            active[column.Index] = true;
        }

        int[]? order = null;
        if (rand is not null)
        {
            order = Enumerable.Range(0, _labels.Length).ToArray();
            rand.Shuffle(order);
        }

        return new Cursor(this, active, order);
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly InMemoryImageDataView _parent;
        private readonly bool[] _active;
        private readonly int[]? _order;
        private long _position = -1;

        public Cursor(InMemoryImageDataView parent, bool[] active, int[]? order)
        {
            _parent = parent;
            _active = active;
            _order = order;
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        private int Row => _order is null ? (int)_position : _order[_position];

        public override bool MoveNext()
        {
            if (_position + 1 >= _parent._labels.Length)
            {
                _position = _parent._labels.Length;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)RequireRow(), 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            }

            Delegate getter = column.Index switch
            {
                0 => (ValueGetter<uint>)((ref uint value) => value = (uint)_parent._labels[RequireRow()] + 1),
                1 => (ValueGetter<VBuffer<float>>)GetFeatures,
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Name, "Unknown column."),
            };

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        private void GetFeatures(ref VBuffer<float> value)
        {
            int size = _parent._imageSize;
            var source = _parent._pixels.AsSpan(RequireRow() * size, size);
            var editor = VBufferEditor.Create(ref value, size);
            float scale = _parent._scale;
            for (int i = 0; i < source.Length; i++)
            {
                editor.Values[i] = source[i] * scale;
            }

            value = editor.Commit();
        }

        private int RequireRow()
        {
            if (_position < 0 || _position >= _parent._labels.Length)
            {
                throw new InvalidOperationException("The cursor is not positioned on a row: call MoveNext first.");
            }

            return Row;
        }
    }
}
