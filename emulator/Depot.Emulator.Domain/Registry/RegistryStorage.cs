using System.Collections.Concurrent;
using System.IO.Pipelines;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Storage;

namespace Depot.Emulator.Domain.Registry;

/// <summary>An image as Depot lists it: one tag of a repository.</summary>
public sealed record RegistryImage(string Tag, Digest Digest, DateTimeOffset PushedAt, long SizeBytes);

/// <summary>
/// The registry's content: blobs on disk, the index, upload sessions, and retention. Durable with a data directory;
/// otherwise the bytes go to a private temporary directory that is removed when the emulator stops.
/// </summary>
public sealed class RegistryStorage : IResettable, IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _clock;
    private readonly IdGenerator _ids;
    private readonly ConcurrentDictionary<string, UploadSession> _uploads = new(StringComparer.Ordinal);
    // Commits, links and the sweep take this, so a blob is never collected between being stored and being linked.
    private readonly object _gc = new();
    private DateTimeOffset _nextSweep;

    /// <param name="durableIndex">Where a durable registry keeps its index; without it, in <c>index.log</c> beside the blobs.</param>
    public RegistryStorage(RegistryStorageOptions options, TimeProvider clock, IdGenerator ids, IRegistryIndex? durableIndex = null)
    {
        Options = options;
        _clock = clock;
        _ids = ids;
        if (options.DataDirectory is { } dir)
        {
            Blobs = new BlobStore(Path.GetFullPath(dir), durable: true, ephemeral: false);
            Index = durableIndex ?? new DurableRegistryIndex(Path.Combine(Blobs.Root, "index.log"));
        }
        else
        {
            // Not from the seeded ids: two emulators started with the same --random-seed must not share a directory.
            var temp = Path.Combine(Path.GetTempPath(), "depot-emulator-registry-" + Guid.NewGuid().ToString("N"));
            Blobs = new BlobStore(temp, durable: false, ephemeral: true);
            Index = new MemoryRegistryIndex();
        }

        _nextSweep = clock.GetUtcNow() + SweepInterval;
    }

    public RegistryStorageOptions Options { get; }

    public BlobStore Blobs { get; }

    public IRegistryIndex Index { get; }

    public bool IsDurable => Options.DataDirectory is not null;

    // ---- blobs

    /// <summary>A blob the repository may serve, and whose bytes are present.</summary>
    public BlobLink? FindBlob(string repository, Digest digest) =>
        Index.FindBlobLink(repository, digest) is { } link && Blobs.SizeOf(digest) is not null ? link : null;

    public UploadSession StartUpload(string repository)
    {
        var id = _ids.Uuid();
        var session = new UploadSession(id, repository, Blobs.NewUploadPath(id), _clock.GetUtcNow());
        _uploads[id] = session;
        return session;
    }

    public UploadSession FindUpload(string repository, string id)
    {
        if (!_uploads.TryGetValue(id, out var session) || session.Repository != repository || session.Closed)
        {
            throw new RegistryException(RegistryErrors.BlobUploadUnknown, $"no upload {id} in {repository}");
        }

        if (session.TouchedAt + Options.UploadTimeout <= _clock.GetUtcNow())
        {
            DropUpload(session);
            throw new RegistryException(RegistryErrors.BlobUploadUnknown, $"upload {id} expired after {Options.UploadTimeout.TotalMinutes:0} idle minutes");
        }

        return session;
    }

    public async Task AppendAsync(UploadSession session, PipeReader body, long? expectedStart, CancellationToken cancellationToken)
    {
        await session.AppendAsync(body, expectedStart, cancellationToken);
        session.TouchedAt = _clock.GetUtcNow();
    }

    /// <summary>Verifies the upload against <paramref name="expected"/> and stores it; a mismatch stores nothing.</summary>
    public async Task<BlobLink> CompleteUploadAsync(UploadSession session, Digest expected, CancellationToken cancellationToken)
    {
        if (session.Closed)
        {
            throw session.DroppedError();
        }

        session.Touch();
        var actual = await session.DigestAsync(expected.Algorithm, cancellationToken);
        if (actual != expected)
        {
            DropUpload(session);
            throw new RegistryException(RegistryErrors.DigestInvalid, $"the upload's content has digest {actual}, not {expected}");
        }

        var size = session.Offset;
        _uploads.TryRemove(session.Id, out _);
        session.Closed = true;
        lock (_gc)
        {
            if (!File.Exists(session.FilePath))
            {
                throw session.DroppedError();
            }

            Blobs.Commit(session.FilePath, expected);
            var link = new BlobLink(expected, size, _clock.GetUtcNow());
            Index.LinkBlob(session.Repository, link);
            return link;
        }
    }

    public void CancelUpload(UploadSession session) => DropUpload(session);

    /// <summary>Links a blob another repository has; false when it has none (the client then uploads).</summary>
    public BlobLink? Mount(string repository, string from, Digest digest)
    {
        lock (_gc)
        {
            if (FindBlob(from, digest) is not { } source)
            {
                return null;
            }

            var link = new BlobLink(digest, source.Size, _clock.GetUtcNow());
            Index.LinkBlob(repository, link);
            return link;
        }
    }

    public bool DeleteBlob(string repository, Digest digest)
    {
        lock (_gc)
        {
            return Index.UnlinkBlob(repository, digest);
        }
    }

    // ---- manifests and tags

    public (ManifestRecord Manifest, byte[] Content)? FindManifest(string repository, string reference)
    {
        var digest = Digest.TryParse(reference, out var d) ? d : Index.FindTag(repository, reference)?.Digest;
        if (digest is null || Index.FindManifest(repository, digest.Value) is not { } manifest)
        {
            return null;
        }

        try
        {
            return (manifest, Blobs.Read(manifest.Digest));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Checks a pushed manifest against the spec and the repository's content, then stores it under its digest and tag.</summary>
    public ManifestRecord PutManifest(string repository, string reference, byte[] content, string? contentType)
    {
        var isDigest = Digest.TryParse(reference, out var named);
        if (!isDigest)
        {
            RegistryNames.RequireTag(reference);
        }

        var parsed = ManifestParser.Parse(content, contentType);
        var digest = isDigest && named.Algorithm != "sha256"
            ? new Digest(named.Algorithm, Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(content)))
            : Digest.Of(content);
        if (isDigest && digest != named)
        {
            throw new RegistryException(RegistryErrors.DigestInvalid, $"the manifest's digest is {digest}, not {named}");
        }

        lock (_gc)
        {
            foreach (var blob in parsed.Blobs.Where(b => !b.HasUrls))
            {
                if (FindBlob(repository, blob.Digest) is null)
                {
                    throw new RegistryException(RegistryErrors.ManifestBlobUnknown, $"blob {blob.Digest} is not in {repository}");
                }
            }

            foreach (var child in parsed.Children)
            {
                if (Index.FindManifest(repository, child.Digest) is null)
                {
                    throw new RegistryException(RegistryErrors.ManifestBlobUnknown, $"manifest {child.Digest} is not in {repository}");
                }
            }

            Blobs.Write(digest, content);
            var record = new ManifestRecord(repository, digest, parsed.MediaType, content.Length, _clock.GetUtcNow(),
                parsed.Blobs, parsed.Children, parsed.Subject?.Digest, parsed.ArtifactType, parsed.Annotations);
            Index.PutManifest(record, isDigest ? null : reference);
            return record;
        }
    }

    public bool DeleteManifest(string repository, Digest digest)
    {
        lock (_gc)
        {
            return Index.DeleteManifest(repository, digest);
        }
    }

    public bool DeleteTag(string repository, string tag)
    {
        lock (_gc)
        {
            return Index.DeleteTag(repository, tag);
        }
    }

    public IReadOnlyList<TagRecord> Tags(string repository) => Index.Tags(repository);

    public bool RepositoryExists(string repository) => Index.RepositoryExists(repository);

    /// <summary>Manifests whose subject is <paramref name="subject"/>, optionally of one artifact type.</summary>
    public IReadOnlyList<ManifestRecord> Referrers(string repository, Digest subject, string? artifactType) =>
        Index.Manifests(repository)
            .Where(m => m.Subject == subject && (artifactType is null || m.ArtifactType == artifactType))
            .OrderBy(m => m.PushedAt).ThenBy(m => m.Digest.ToString(), StringComparer.Ordinal)
            .ToList();

    /// <summary>The tags of a repository as images, with the size of everything each pulls in.</summary>
    public IReadOnlyList<RegistryImage> Images(string repository)
    {
        var manifests = Index.Manifests(repository).ToDictionary(m => m.Digest);
        long Size(ManifestRecord m, int depth) => m.Size + m.Blobs.Sum(b => b.Size) +
            (depth > 4 ? 0 : m.Children.Sum(c => manifests.TryGetValue(c.Digest, out var child) ? Size(child, depth + 1) : c.Size));
        return Index.Tags(repository)
            .Where(t => manifests.ContainsKey(t.Digest))
            .Select(t => new RegistryImage(t.Tag, t.Digest, t.PushedAt, Size(manifests[t.Digest], 0)))
            .ToList();
    }

    // ---- retention

    /// <summary>Runs <see cref="Sweep"/> when a minute of (emulator) time has passed since the last one.</summary>
    public void SweepIfDue()
    {
        if (_clock.GetUtcNow() >= _nextSweep)
        {
            Sweep();
        }
    }

    /// <summary>
    /// Drops tags older than the retention, then manifests nothing live needs, then blob links no manifest needs,
    /// then bytes nothing links. A manifest shared with another tag, index or repository stays with its blobs.
    /// </summary>
    public void Sweep()
    {
        var now = _clock.GetUtcNow();
        _nextSweep = now + SweepInterval;
        foreach (var upload in _uploads.Values.Where(u => u.TouchedAt + Options.UploadTimeout <= now).ToList())
        {
            DropUpload(upload);
        }

        var cutoff = now - Options.Retention;
        lock (_gc)
        {
            foreach (var manifest in Index.Manifests())
            {
                foreach (var tag in Index.Tags(manifest.Repository).Where(t => t.Digest == manifest.Digest && t.PushedAt <= cutoff))
                {
                    Index.DeleteTag(tag.Repository, tag.Tag);
                }
            }

            foreach (var group in Index.Manifests().GroupBy(m => m.Repository))
            {
                var byDigest = group.ToDictionary(m => m.Digest);
                var tagged = Index.Tags(group.Key).Select(t => t.Digest).ToHashSet();
                var live = new HashSet<Digest>();
                var pending = new Stack<Digest>(byDigest.Values.Where(m => tagged.Contains(m.Digest) || m.PushedAt > cutoff).Select(m => m.Digest));
                while (pending.TryPop(out var digest))
                {
                    if (live.Add(digest) && byDigest.TryGetValue(digest, out var m))
                    {
                        foreach (var child in m.Children)
                        {
                            pending.Push(child.Digest);
                        }
                    }
                }

                foreach (var dead in byDigest.Keys.Where(d => !live.Contains(d)))
                {
                    Index.DeleteManifest(group.Key, dead);
                }
            }

            var needed = Index.Manifests().SelectMany(m => m.Blobs.Select(b => (m.Repository, b.Digest))).ToHashSet();
            foreach (var (repository, link) in Index.BlobLinks())
            {
                if (link.LinkedAt <= cutoff && !needed.Contains((repository, link.Digest)))
                {
                    Index.UnlinkBlob(repository, link.Digest);
                }
            }

            CollectBytes();
        }
    }

    /// <summary>Deletes every stored blob that no repository links and no manifest is.</summary>
    public void CollectBytes()
    {
        lock (_gc)
        {
            var keep = Index.BlobLinks().Select(l => l.Link.Digest)
                .Concat(Index.Manifests().Select(m => m.Digest))
                .ToHashSet();
            foreach (var digest in Blobs.All().Where(d => !keep.Contains(d)).ToList())
            {
                Blobs.Delete(digest);
            }
        }
    }

    /// <summary>Empties the registry (the control plane's reset).</summary>
    public void Reset()
    {
        foreach (var upload in _uploads.Values.ToList())
        {
            DropUpload(upload);
        }

        lock (_gc)
        {
            Index.Clear();
            Blobs.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var upload in _uploads.Values)
        {
            upload.Dispose();
        }

        Index.Dispose();
        Blobs.Dispose();
    }

    private void DropUpload(UploadSession session)
    {
        _uploads.TryRemove(session.Id, out _);
        session.Dispose();
    }
}
