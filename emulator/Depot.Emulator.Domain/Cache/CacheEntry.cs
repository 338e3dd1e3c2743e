using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.Domain.Cache;

/// <summary>A byte range of a bundle entry that stands for an entry of its own (<c>GetBundle</c> finds it by subkey).</summary>
public sealed record CacheSegment(string Subkey, long Offset, long Size);

/// <summary>An entry a bundle names as its child.</summary>
public sealed record CacheChild(string Key, string? Name);

/// <summary>
/// One cache entry of one organization: a key within an entry type (<c>gocache</c>, <c>bazel-ac</c>, a CacheService
/// type such as <c>generic</c>) naming content-addressed bytes in the blob store.
/// </summary>
public sealed record CacheEntry(
    string OrganizationId,
    string EntryType,
    string Key,
    Digest Digest,
    long Size,
    string? Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    long Hits,
    IReadOnlyList<CacheSegment> Segments,
    IReadOnlyList<CacheChild> Children);

/// <summary>What an organization's cache holds, for usage.</summary>
public sealed record CacheUsage(int Entries, long Bytes, long Hits);
