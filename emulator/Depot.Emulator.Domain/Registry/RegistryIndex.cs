namespace Depot.Emulator.Domain.Registry;

/// <summary>A blob a repository may serve: pushed to it, or mounted into it.</summary>
public sealed record BlobLink(Digest Digest, long Size, DateTimeOffset LinkedAt);

/// <summary>A manifest as stored: its own bytes live in the blob store under <see cref="Digest"/>.</summary>
public sealed record ManifestRecord(
    string Repository,
    Digest Digest,
    string MediaType,
    long Size,
    DateTimeOffset PushedAt,
    IReadOnlyList<Descriptor> Blobs,
    IReadOnlyList<Descriptor> Children,
    Digest? Subject,
    string? ArtifactType,
    IReadOnlyDictionary<string, string>? Annotations);

public sealed record TagRecord(string Repository, string Tag, Digest Digest, DateTimeOffset PushedAt);

/// <summary>
/// What the registry knows besides the bytes: which repository links which blobs, its manifests and its tags.
/// Every implementation passes the same conformance suite (<c>RegistryIndexConformance</c> in the tests).
/// </summary>
public interface IRegistryIndex : IDisposable
{
    BlobLink? FindBlobLink(string repository, Digest digest);

    void LinkBlob(string repository, BlobLink link);

    bool UnlinkBlob(string repository, Digest digest);

    ManifestRecord? FindManifest(string repository, Digest digest);

    /// <summary>Stores the manifest (replacing one with the same digest) and, when given, points the tag at it.</summary>
    void PutManifest(ManifestRecord manifest, string? tag);

    /// <summary>Removes the manifest and every tag that points at it; its blobs stay linked.</summary>
    bool DeleteManifest(string repository, Digest digest);

    TagRecord? FindTag(string repository, string tag);

    bool DeleteTag(string repository, string tag);

    /// <summary>The repository's tags in ordinal order of their names.</summary>
    IReadOnlyList<TagRecord> Tags(string repository);

    bool RepositoryExists(string repository);

    IReadOnlyList<ManifestRecord> Manifests(string? repository = null);

    IReadOnlyList<(string Repository, BlobLink Link)> BlobLinks();

    void Clear();
}

/// <summary>The index in memory: one lock, nothing survives the process.</summary>
public sealed class MemoryRegistryIndex : IRegistryIndex
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Repository> _repositories = new(StringComparer.Ordinal);

    public BlobLink? FindBlobLink(string repository, Digest digest) =>
        Read(repository, r => r.Blobs.GetValueOrDefault(digest));

    public void LinkBlob(string repository, BlobLink link)
    {
        lock (_lock)
        {
            Get(repository).Blobs[link.Digest] = link;
        }
    }

    public bool UnlinkBlob(string repository, Digest digest) => Change(repository, r => r.Blobs.Remove(digest));

    public ManifestRecord? FindManifest(string repository, Digest digest) =>
        Read(repository, r => r.Manifests.GetValueOrDefault(digest));

    public void PutManifest(ManifestRecord manifest, string? tag)
    {
        lock (_lock)
        {
            var repository = Get(manifest.Repository);
            repository.Manifests[manifest.Digest] = manifest;
            if (tag is not null)
            {
                repository.Tags[tag] = new TagRecord(manifest.Repository, tag, manifest.Digest, manifest.PushedAt);
            }
        }
    }

    /// <summary>Restores a tag exactly as it was, for replaying a log.</summary>
    internal void SetTag(TagRecord tag)
    {
        lock (_lock)
        {
            Get(tag.Repository).Tags[tag.Tag] = tag;
        }
    }

    public bool DeleteManifest(string repository, Digest digest) => Change(repository, r =>
    {
        if (!r.Manifests.Remove(digest))
        {
            return false;
        }

        foreach (var tag in r.Tags.Values.Where(t => t.Digest == digest).ToList())
        {
            r.Tags.Remove(tag.Tag);
        }

        return true;
    });

    public TagRecord? FindTag(string repository, string tag) => Read(repository, r => r.Tags.GetValueOrDefault(tag));

    public bool DeleteTag(string repository, string tag) => Change(repository, r => r.Tags.Remove(tag));

    public IReadOnlyList<TagRecord> Tags(string repository) => Read(repository, r => r.Tags.Values.ToList()) ?? [];

    public bool RepositoryExists(string repository)
    {
        lock (_lock)
        {
            return _repositories.TryGetValue(repository, out var r) && (r.Manifests.Count > 0 || r.Blobs.Count > 0);
        }
    }

    public IReadOnlyList<ManifestRecord> Manifests(string? repository = null)
    {
        lock (_lock)
        {
            return _repositories.Where(r => repository is null || r.Key == repository)
                .SelectMany(r => r.Value.Manifests.Values).ToList();
        }
    }

    public IReadOnlyList<(string Repository, BlobLink Link)> BlobLinks()
    {
        lock (_lock)
        {
            return _repositories.SelectMany(r => r.Value.Blobs.Values.Select(l => (r.Key, l))).ToList();
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _repositories.Clear();
        }
    }

    public void Dispose()
    {
    }

    private Repository Get(string name)
    {
        if (!_repositories.TryGetValue(name, out var repository))
        {
            _repositories[name] = repository = new Repository();
        }

        return repository;
    }

    private T? Read<T>(string repository, Func<Repository, T> read)
    {
        lock (_lock)
        {
            return _repositories.TryGetValue(repository, out var r) ? read(r) : default;
        }
    }

    private bool Change(string repository, Func<Repository, bool> change)
    {
        lock (_lock)
        {
            return _repositories.TryGetValue(repository, out var r) && change(r);
        }
    }

    private sealed class Repository
    {
        public Dictionary<Digest, BlobLink> Blobs { get; } = [];

        public Dictionary<Digest, ManifestRecord> Manifests { get; } = [];

        public SortedDictionary<string, TagRecord> Tags { get; } = new(StringComparer.Ordinal);
    }
}
