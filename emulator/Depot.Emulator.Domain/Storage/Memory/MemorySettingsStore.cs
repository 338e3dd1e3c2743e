using System.Collections.Concurrent;

namespace Depot.Emulator.Domain.Storage.Memory;

public sealed class MemorySettingsStore : ISettingsStore
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public string? Get(string key) => _values.GetValueOrDefault(key);

    public void Set(string key, string value) => _values[key] = value;
}

/// <summary>In memory a group of changes needs nothing more: the state validates before it changes anything.</summary>
public sealed class MemoryTransactions : IStateTransactions
{
    public static readonly MemoryTransactions Instance = new();

    public T Run<T>(Func<T> work) => work();
}
