using Microsoft.ML.Data;

namespace Microsoft.ML.ElectrostaticPruning.Tests.MLNet;

/// <summary>
/// Wraps a view and serves the raw value of one <c>uint</c> key column from a function of the row position, so a test can
/// produce key values that ML.NET's own loaders never emit (e.g. above the key count).
/// </summary>
internal sealed class RawKeyDataView(IDataView inner, string column, Func<long, uint> value) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(inner.GetRowCursor(columnsNeeded), Schema[column].Index, value);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewRowCursor inner, int index, Func<long, uint> value) : DataViewRowCursor
    {
        public override DataViewSchema Schema => inner.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override bool MoveNext() => inner.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            column.Index == index
                ? (ValueGetter<TValue>)(Delegate)(ValueGetter<uint>)((ref uint v) => v = value(inner.Position))
                : inner.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
