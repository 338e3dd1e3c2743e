using System.Collections.Concurrent;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.Domain.Cache;

/// <summary>
/// Depot Cache: each organization's entries, whatever protocol wrote them, over content-addressed bytes. An entry lives
/// <see cref="CacheOptions.Retention"/> after it was last written or read, on the emulator's clock; bytes no entry names
/// are removed.
/// </summary>
public sealed class CacheStore : IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _clock;
    private readonly IdGenerator _ids;
    private readonly ConcurrentDictionary<string, CacheUpload> _uploads = new(StringComparer.Ordinal);
    private readonly object _gc = new();
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    public CacheStore(CacheOptions options, ICacheIndex index, CacheBlobs blobs, TimeProvider clock, IdGenerator ids)
    {
        Options = options;
        Index = index;
        Blobs = blobs;
        _clock = clock;
        _ids = ids;
    }

    public CacheOptions Options { get; }

    public ICacheIndex Index { get; }

    public CacheBlobs Blobs { get; }

    /// <summary>Stores a whole body as the entry, replacing what the key held.</summary>
    /// <param name="expected">For content-addressed keys: the digest the bytes must have, else nothing is stored.</param>
    public async Task<CacheEntry> PutAsync(string organizationId, string entryType, string key, Stream body, string? name,
        CancellationToken cancellationToken, Digest? expected = null)
    {
        RequireKey(entryType, key);
        var part = await Blobs.WriteTemporaryAsync(body, Options.MaxEntryBytes, cancellationToken);
        if (expected is { } digest && part.Digest != digest)
        {
            Blobs.Discard([part]);
            throw DepotErrors.Invalid($"the content has digest {part.Digest}, not {digest}");
        }

        return await StoreAsync(organizationId, entryType, key, [part], name, [], [], cancellationToken);
    }

    /// <summary>The live entry, without counting a read.</summary>
    public CacheEntry? Find(string organizationId, string entryType, string key)
    {
        SweepIfDue();
        var entry = Index.Find(organizationId, entryType, key);
        return entry is not null && IsLive(entry) && Blobs.Exists(entry.Digest) ? entry : null;
    }

    /// <summary>The live entry, counting a read (a hit) when there is one.</summary>
    public CacheEntry? Hit(string organizationId, string entryType, string key)
    {
        var entry = Find(organizationId, entryType, key);
        if (entry is not null)
        {
            Index.RecordHit(organizationId, entryType, key, _clock.GetUtcNow());
        }

        return entry;
    }

    /// <summary>The newest live entry whose key starts with one of <paramref name="prefixes"/>, tried in order.</summary>
    public CacheEntry? HitByPrefix(string organizationId, string entryType, IEnumerable<string> prefixes)
    {
        foreach (var prefix in prefixes.Where(p => p.Length > 0))
        {
            var found = Index.List(organizationId, entryType, prefix, null, int.MaxValue)
                .Where(IsLive).OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Key, StringComparer.Ordinal).FirstOrDefault();
            if (found is not null)
            {
                return Hit(organizationId, entryType, found.Key);
            }
        }

        return null;
    }

    /// <summary>The newest bundle with a segment named <paramref name="subkey"/>.</summary>
    public CacheEntry? HitBundle(string organizationId, string entryType, string subkey)
    {
        SweepIfDue();
        var entry = Index.FindBySegment(organizationId, entryType, subkey);
        return entry is null || !IsLive(entry) ? null : Hit(organizationId, entryType, entry.Key);
    }

    public Stream OpenRead(CacheEntry entry) => Blobs.OpenRead(entry.Digest);

    public bool Delete(string organizationId, string entryType, string key)
    {
        RequireKey(entryType, key);
        lock (_gc)
        {
            var entry = Index.Find(organizationId, entryType, key);
            if (entry is null || !Index.Delete(organizationId, entryType, key))
            {
                return false;
            }

            CollectUnlocked([entry.Digest]);
            return true;
        }
    }

    /// <summary>A page of live entries in key order; the token is the last key of the page before.</summary>
    public (IReadOnlyList<CacheEntry> Entries, string NextPageToken) List(string organizationId, string entryType, string keyPrefix, int pageSize, string? pageToken)
    {
        SweepIfDue();
        if (pageSize < 0)
        {
            throw DepotErrors.Invalid("page_size must not be negative");
        }

        var size = pageSize == 0 ? Options.MaxPageSize : Math.Min(pageSize, Options.MaxPageSize);
        var after = string.IsNullOrEmpty(pageToken) ? null : PageToken.Decode(pageToken);
        var page = Index.List(organizationId, entryType, keyPrefix, after, size + 1).Where(IsLive).ToList();
        return page.Count > size
            ? (page.Take(size).ToList(), PageToken.Encode(page[size - 1].Key))
            : (page, "");
    }

    public CacheUpload StartUpload(string organizationId, string entryType, string key)
    {
        RequireKey(entryType, key);
        SweepIfDue();
        if (_uploads.Count >= Options.MaxUploads)
        {
            throw DepotErrors.Precondition($"{Options.MaxUploads} cache uploads are unfinished; finalize or abandon some first");
        }

        var upload = new CacheUpload(_ids.Id("cache_"), organizationId, entryType, key, _clock.GetUtcNow());
        _uploads[upload.Id] = upload;
        return upload;
    }

    public bool UploadInProgress(string organizationId, string entryType, string key) =>
        _uploads.Values.Any(u => u.OrganizationId == organizationId && u.EntryType == entryType && u.Key == key &&
                                 u.StartedAt + Options.UploadTimeout > _clock.GetUtcNow());

    /// <summary>The unfinished upload, if it is still open; an upload of another organization is not found.</summary>
    public CacheUpload? FindUpload(string id, string? organizationId = null) =>
        _uploads.TryGetValue(id, out var upload) && (organizationId is null || upload.OrganizationId == organizationId) &&
        upload.StartedAt + Options.UploadTimeout > _clock.GetUtcNow()
            ? upload
            : null;

    /// <summary>Receives one part; answers its ETag (the part's SHA-256).</summary>
    public async Task<string> WritePartAsync(CacheUpload upload, int number, Stream body, CancellationToken cancellationToken)
    {
        if (number < 1 || number > Options.MaxPartsPerUpload)
        {
            throw DepotErrors.Invalid($"part numbers run from 1 to {Options.MaxPartsPerUpload}");
        }

        var part = await Blobs.WriteTemporaryAsync(body, Options.MaxEntryBytes, cancellationToken);
        if (FindUpload(upload.Id) is null)
        {
            Blobs.Discard([part]);
            throw DepotErrors.NotFound("cache upload", upload.Id);
        }

        if (upload.SetPart(number, part) is { } replaced)
        {
            Blobs.Discard([replaced]);
        }

        return part.Digest.Hex;
    }

    /// <summary>
    /// Joins the parts the client names by ETag, in order, into the entry, if their total is <paramref name="sizeBytes"/>.
    /// A mismatch stores nothing and leaves the upload open.
    /// </summary>
    public async Task<CacheEntry> FinalizeAsync(string organizationId, string uploadId, long sizeBytes, IReadOnlyList<string> etags,
        IReadOnlyList<CacheSegment> segments, IReadOnlyList<CacheChild> children, string? name, CancellationToken cancellationToken)
    {
        var upload = FindUpload(uploadId, organizationId) ?? throw DepotErrors.NotFound("cache entry upload", uploadId);
        var parts = upload.Parts();
        if (parts.Count == 0)
        {
            throw DepotErrors.Precondition($"upload {uploadId} has received no part");
        }

        if (etags.Count != parts.Count)
        {
            throw DepotErrors.Invalid($"upload {uploadId} has {parts.Count} parts; upload_part_etags names {etags.Count}");
        }

        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Number != i + 1 || !string.Equals(etags[i].Trim('"'), parts[i].Part.Digest.Hex, StringComparison.OrdinalIgnoreCase))
            {
                throw DepotErrors.Invalid($"upload_part_etags[{i}] does not match part {i + 1} of upload {uploadId}");
            }
        }

        var total = parts.Sum(p => p.Part.Size);
        if (total != sizeBytes)
        {
            throw DepotErrors.Invalid($"size_bytes is {sizeBytes}; the parts hold {total} bytes");
        }

        foreach (var segment in segments)
        {
            if (segment.Subkey.Length == 0 || segment.Offset < 0 || segment.Size < 0 || segment.Offset + segment.Size > total)
            {
                throw DepotErrors.Invalid($"segment {segment.Subkey} lies outside the entry's {total} bytes");
            }
        }

        if (!_uploads.TryRemove(uploadId, out _))
        {
            throw DepotErrors.NotFound("cache entry upload", uploadId);
        }

        return await StoreAsync(organizationId, upload.EntryType, upload.Key, parts.Select(p => p.Part).ToList(), name, segments, children, cancellationToken);
    }

    /// <summary>Every usage figure of one organization's cache.</summary>
    public CacheUsage Usage(string organizationId)
    {
        SweepIfDue();
        var entries = Index.All(organizationId).Where(IsLive).ToList();
        return new CacheUsage(entries.Count, entries.Sum(e => e.Size), entries.Sum(e => e.Hits));
    }

    public int ClearOrganization(string organizationId)
    {
        lock (_gc)
        {
            var entries = Index.All(organizationId);
            foreach (var entry in entries)
            {
                Index.Delete(entry.OrganizationId, entry.EntryType, entry.Key);
            }

            CollectUnlocked(entries.Select(e => e.Digest));
            return entries.Count;
        }
    }

    public void Clear()
    {
        lock (_gc)
        {
            foreach (var upload in _uploads.Values)
            {
                Blobs.Discard(upload.Parts().Select(p => p.Part));
            }

            _uploads.Clear();
            Index.Clear();
            Blobs.Clear();
        }
    }

    public void SweepIfDue()
    {
        if (_clock.GetUtcNow() >= _nextSweep)
        {
            Sweep();
        }
    }

    /// <summary>Drops entries past retention and uploads past their timeout, then bytes nothing names.</summary>
    public void Sweep()
    {
        var now = _clock.GetUtcNow();
        _nextSweep = now + SweepInterval;
        foreach (var upload in _uploads.Values.Where(u => u.StartedAt + Options.UploadTimeout <= now).ToList())
        {
            if (_uploads.TryRemove(upload.Id, out _))
            {
                Blobs.Discard(upload.Parts().Select(p => p.Part));
            }
        }

        lock (_gc)
        {
            var expired = Index.All().Where(e => !IsLive(e)).ToList();
            foreach (var entry in expired)
            {
                Index.Delete(entry.OrganizationId, entry.EntryType, entry.Key);
            }

            CollectUnlocked(expired.Select(e => e.Digest));
        }
    }

    public void Dispose()
    {
        Index.Dispose();
        Blobs.Dispose();
    }

    private async Task<CacheEntry> StoreAsync(string organizationId, string entryType, string key, IReadOnlyList<CachePart> parts, string? name,
        IReadOnlyList<CacheSegment> segments, IReadOnlyList<CacheChild> children, CancellationToken cancellationToken)
    {
        var (digest, size) = await Blobs.CommitAsync(parts, Options.MaxEntryBytes, cancellationToken);
        var now = _clock.GetUtcNow();
        var entry = new CacheEntry(organizationId, entryType, key, digest, size, name, now, now, 0, segments, children);
        lock (_gc)
        {
            var replaced = Index.Find(organizationId, entryType, key);
            Index.Put(entry);
            if (replaced is not null)
            {
                CollectUnlocked([replaced.Digest]);
            }
        }

        return entry;
    }

    private bool IsLive(CacheEntry entry) => entry.LastUsedAt + Options.Retention > _clock.GetUtcNow();

    private void CollectUnlocked(IEnumerable<Digest> candidates)
    {
        var named = Index.All().Select(e => e.Digest).ToHashSet();
        foreach (var digest in candidates.Distinct().Where(d => !named.Contains(d)))
        {
            Blobs.Delete(digest);
        }
    }

    private static void RequireKey(string entryType, string key)
    {
        if (string.IsNullOrEmpty(entryType))
        {
            throw DepotErrors.Required("entry_type");
        }

        if (string.IsNullOrEmpty(key))
        {
            throw DepotErrors.Required("key");
        }

        if (key.Length > 1024 || entryType.Length > 128)
        {
            throw DepotErrors.Invalid("a cache key has at most 1024 characters and an entry type at most 128");
        }
    }

    private static class PageToken
    {
        public static string Encode(string key) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key));

        public static string Decode(string token)
        {
            try
            {
                return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                throw DepotErrors.Invalid("page_token is not one this service issued");
            }
        }
    }
}
