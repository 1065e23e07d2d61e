namespace ElectrostaticPruning.Samples.Jobs;

/// <summary>Disposes a set of objects together (models loaded or trained for one command).</summary>
internal sealed class DisposableList(IEnumerable<IDisposable> items) : IDisposable
{
    private readonly List<IDisposable> _items = [.. items];

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var item in _items)
        {
            item.Dispose();
        }

        _items.Clear();
    }
}
