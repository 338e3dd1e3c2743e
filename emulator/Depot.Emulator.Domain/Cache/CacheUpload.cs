namespace Depot.Emulator.Domain.Cache;

/// <summary>A multipart upload between <c>CreateEntry</c> and <c>FinalizeEntry</c>; its parts wait in temporary files.</summary>
public sealed class CacheUpload(string id, string organizationId, string entryType, string key, DateTimeOffset startedAt)
{
    private readonly SortedDictionary<int, CachePart> _parts = [];

    public string Id { get; } = id;

    public string OrganizationId { get; } = organizationId;

    public string EntryType { get; } = entryType;

    public string Key { get; } = key;

    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>Part numbers start at 1, as S3's do.</summary>
    internal CachePart? SetPart(int number, CachePart part)
    {
        lock (_parts)
        {
            var replaced = _parts.GetValueOrDefault(number);
            _parts[number] = part;
            return replaced;
        }
    }

    internal IReadOnlyList<(int Number, CachePart Part)> Parts()
    {
        lock (_parts)
        {
            return _parts.Select(p => (p.Key, p.Value)).ToList();
        }
    }
}
