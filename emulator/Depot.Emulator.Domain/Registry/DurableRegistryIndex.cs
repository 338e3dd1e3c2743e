using System.Text;
using System.Text.Json;

namespace Depot.Emulator.Domain.Registry;

/// <summary>
/// The index kept in memory and written ahead to an append-only log under <c>--data-dir</c>, flushed to disk before
/// a change is acknowledged. Opening replays the log (a torn last line from a crash is dropped) and rewrites it
/// compacted, so it grows only with what changed since the last start.
/// </summary>
public sealed class DurableRegistryIndex : IRegistryIndex
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly MemoryRegistryIndex _memory = new();
    private readonly object _lock = new();
    private readonly string _path;
    private FileStream _log;

    public DurableRegistryIndex(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (Parse(line) is { } entry)
                {
                    Apply(entry);
                }
            }
        }

        Compact();
        _log = OpenLog();
    }

    public BlobLink? FindBlobLink(string repository, Digest digest) => _memory.FindBlobLink(repository, digest);

    public void LinkBlob(string repository, BlobLink link) => Write(new Entry("link", repository, Link: link));

    public bool UnlinkBlob(string repository, Digest digest) =>
        _memory.FindBlobLink(repository, digest) is not null && Write(new Entry("unlink", repository, Digest: digest));

    public ManifestRecord? FindManifest(string repository, Digest digest) => _memory.FindManifest(repository, digest);

    public void PutManifest(ManifestRecord manifest, string? tag) => Write(new Entry("manifest", manifest.Repository, Manifest: manifest, Tag: tag));

    public bool DeleteManifest(string repository, Digest digest) =>
        _memory.FindManifest(repository, digest) is not null && Write(new Entry("delete-manifest", repository, Digest: digest));

    public TagRecord? FindTag(string repository, string tag) => _memory.FindTag(repository, tag);

    public bool DeleteTag(string repository, string tag) =>
        _memory.FindTag(repository, tag) is not null && Write(new Entry("delete-tag", repository, Tag: tag));

    public IReadOnlyList<TagRecord> Tags(string repository) => _memory.Tags(repository);

    public bool RepositoryExists(string repository) => _memory.RepositoryExists(repository);

    public IReadOnlyList<ManifestRecord> Manifests(string? repository = null) => _memory.Manifests(repository);

    public IReadOnlyList<(string Repository, BlobLink Link)> BlobLinks() => _memory.BlobLinks();

    public void Clear() => Write(new Entry("clear"));

    public void Dispose()
    {
        lock (_lock)
        {
            _log.Dispose();
        }
    }

    private bool Write(Entry entry)
    {
        lock (_lock)
        {
            var line = JsonSerializer.Serialize(entry, Json) + "\n";
            _log.Write(Encoding.UTF8.GetBytes(line));
            _log.Flush(flushToDisk: true);
            Apply(entry);
            return true;
        }
    }

    private void Apply(Entry entry)
    {
        switch (entry.Op)
        {
            case "link":
                _memory.LinkBlob(entry.Repository!, entry.Link!);
                break;
            case "unlink":
                _memory.UnlinkBlob(entry.Repository!, entry.Digest!.Value);
                break;
            case "manifest":
                _memory.PutManifest(entry.Manifest!, entry.Tag);
                break;
            case "tag":
                _memory.SetTag(entry.Tagged!);
                break;
            case "delete-manifest":
                _memory.DeleteManifest(entry.Repository!, entry.Digest!.Value);
                break;
            case "delete-tag":
                _memory.DeleteTag(entry.Repository!, entry.Tag!);
                break;
            case "clear":
                _memory.Clear();
                break;
        }
    }

    /// <summary>Rewrites the log as the entries that rebuild the current state, then swaps it in atomically.</summary>
    private void Compact()
    {
        var temp = _path + ".tmp";
        using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write))
        using (var writer = new StreamWriter(output, new UTF8Encoding(false)))
        {
            foreach (var (repository, link) in _memory.BlobLinks())
            {
                writer.Write(JsonSerializer.Serialize(new Entry("link", repository, Link: link), Json) + "\n");
            }

            foreach (var manifest in _memory.Manifests().OrderBy(m => m.PushedAt))
            {
                writer.Write(JsonSerializer.Serialize(new Entry("manifest", manifest.Repository, Manifest: manifest), Json) + "\n");
                foreach (var tag in _memory.Tags(manifest.Repository).Where(t => t.Digest == manifest.Digest))
                {
                    writer.Write(JsonSerializer.Serialize(new Entry("tag", manifest.Repository, Tagged: tag), Json) + "\n");
                }
            }

            writer.Flush();
            output.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
    }

    private FileStream OpenLog() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read);

    private static Entry? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Entry>(line, Json);
        }
        catch (JsonException)
        {
            return null; // The write that a crash cut short; it was never acknowledged.
        }
    }

    private sealed record Entry(
        string Op,
        string? Repository = null,
        BlobLink? Link = null,
        ManifestRecord? Manifest = null,
        string? Tag = null,
        Digest? Digest = null,
        TagRecord? Tagged = null);
}
