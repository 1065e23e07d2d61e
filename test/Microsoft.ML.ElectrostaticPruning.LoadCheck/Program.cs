using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: LoadCheck <model.zip> <data.idv> <output.tsv>
// Loads the model, scores the data and writes one line per row: the Score values (round-trip format, space-separated),
// a tab, and the PredictedLabel value as text. Exit code 0 on success, 1 with the exception on stderr otherwise.
if (args.Length != 3)
{
    Console.Error.WriteLine("Usage: LoadCheck <model.zip> <data.idv> <output.tsv>");
    return 2;
}

try
{
    var mlContext = new MLContext(seed: 1);
    var model = mlContext.Model.Load(args[0], out _);
    var data = mlContext.Data.LoadFromBinary(args[1]);
    var scored = model.Transform(data);

    var predicted = scored.Schema["PredictedLabel"];
    var lines = new List<string>();
    using (var cursor = scored.GetRowCursor([scored.Schema["Score"], predicted]))
    {
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        Func<string> label = PredictedLabelText(cursor, predicted);
        VBuffer<float> values = default;
        while (cursor.MoveNext())
        {
            score(ref values);
            lines.Add(string.Join(' ', values.DenseValues().Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "\t" + label());
        }
    }

    File.WriteAllLines(args[2], lines);
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine(ex.ToString());
    return 1;
}

// PredictedLabel is a uint key or, after MapKeyToValue, text; print either as text.
static Func<string> PredictedLabelText(DataViewRow row, DataViewSchema.Column column)
{
    if (column.Type is TextDataViewType)
    {
        var text = row.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        return () => { text(ref value); return value.ToString(); };
    }

    var key = row.GetGetter<uint>(column);
    uint raw = 0;
    return () => { key(ref raw); return raw.ToString(CultureInfo.InvariantCulture); };
}
