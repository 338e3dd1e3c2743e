namespace Depot.Emulator.Domain.Cache;

/// <summary>
/// What the cache knows besides the bytes: each organization's entries by type and key. Every implementation passes
/// the same conformance suite (<c>CacheIndexConformance</c> in the tests).
/// </summary>
public interface ICacheIndex : IDisposable
{
    CacheEntry? Find(string organizationId, string entryType, string key);

    /// <summary>Stores the entry, replacing one with the same organization, type and key.</summary>
    void Put(CacheEntry entry);

    bool Delete(string organizationId, string entryType, string key);

    /// <summary>Entries whose key starts with <paramref name="keyPrefix"/>, in ordinal key order, after key <paramref name="after"/>.</summary>
    IReadOnlyList<CacheEntry> List(string organizationId, string entryType, string keyPrefix, string? after, int limit);

    /// <summary>The newest entry of the type with a segment named <paramref name="subkey"/>.</summary>
    CacheEntry? FindBySegment(string organizationId, string entryType, string subkey);

    /// <summary>Counts a read: one more hit, last used now. False when the entry is gone.</summary>
    bool RecordHit(string organizationId, string entryType, string key, DateTimeOffset at);

    IReadOnlyList<CacheEntry> All(string? organizationId = null);

    void Clear();
}

/// <summary>The index in memory: one lock, nothing survives the process.</summary>
public sealed class MemoryCacheIndex : ICacheIndex
{
    private readonly object _lock = new();
    private readonly SortedDictionary<(string Org, string Type, string Key), CacheEntry> _entries = new(KeyOrder.Instance);

    public CacheEntry? Find(string organizationId, string entryType, string key)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault((organizationId, entryType, key));
        }
    }

    public void Put(CacheEntry entry)
    {
        lock (_lock)
        {
            _entries[(entry.OrganizationId, entry.EntryType, entry.Key)] = entry;
        }
    }

    public bool Delete(string organizationId, string entryType, string key)
    {
        lock (_lock)
        {
            return _entries.Remove((organizationId, entryType, key));
        }
    }

    public IReadOnlyList<CacheEntry> List(string organizationId, string entryType, string keyPrefix, string? after, int limit)
    {
        lock (_lock)
        {
            return _entries.Values
                .Where(e => e.OrganizationId == organizationId && e.EntryType == entryType &&
                            e.Key.StartsWith(keyPrefix, StringComparison.Ordinal) &&
                            (after is null || string.CompareOrdinal(e.Key, after) > 0))
                .Take(limit)
                .ToList();
        }
    }

    public CacheEntry? FindBySegment(string organizationId, string entryType, string subkey)
    {
        lock (_lock)
        {
            return _entries.Values
                .Where(e => e.OrganizationId == organizationId && e.EntryType == entryType && e.Segments.Any(s => s.Subkey == subkey))
                .OrderByDescending(e => e.CreatedAt)
                .FirstOrDefault();
        }
    }

    public bool RecordHit(string organizationId, string entryType, string key, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue((organizationId, entryType, key), out var entry))
            {
                return false;
            }

            _entries[(organizationId, entryType, key)] = entry with { Hits = entry.Hits + 1, LastUsedAt = at };
            return true;
        }
    }

    public IReadOnlyList<CacheEntry> All(string? organizationId = null)
    {
        lock (_lock)
        {
            return _entries.Values.Where(e => organizationId is null || e.OrganizationId == organizationId).ToList();
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    public void Dispose()
    {
    }

    private sealed class KeyOrder : IComparer<(string Org, string Type, string Key)>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare((string Org, string Type, string Key) x, (string Org, string Type, string Key) y)
        {
            var order = string.CompareOrdinal(x.Org, y.Org);
            if (order == 0)
            {
                order = string.CompareOrdinal(x.Type, y.Type);
            }

            return order == 0 ? string.CompareOrdinal(x.Key, y.Key) : order;
        }
    }
}
