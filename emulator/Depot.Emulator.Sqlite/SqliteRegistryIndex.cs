using System.Text.Json;
using Depot.Emulator.Domain.Registry;
using Microsoft.Data.Sqlite;

namespace Depot.Emulator.Sqlite;

/// <summary>The registry's index in <c>state.db</c>: blob links, manifests (their record as JSON) and tags.</summary>
public sealed class SqliteRegistryIndex(SqliteDatabase db) : IRegistryIndex
{
    public static readonly SqliteArea Area = new("registry",
    [
        """
        CREATE TABLE registry_blob_links (
            repository TEXT NOT NULL, digest TEXT NOT NULL, size INTEGER NOT NULL, linked_at INTEGER NOT NULL,
            PRIMARY KEY (repository, digest));
        CREATE TABLE registry_manifests (
            repository TEXT NOT NULL, digest TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (repository, digest));
        CREATE TABLE registry_tags (
            repository TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL, pushed_at INTEGER NOT NULL,
            PRIMARY KEY (repository, tag));
        """,
    ]);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public BlobLink? FindBlobLink(string repository, Digest digest) =>
        db.QueryOne("SELECT digest, size, linked_at FROM registry_blob_links WHERE repository = $repo AND digest = $digest", ReadLink,
            ("$repo", repository), ("$digest", digest.ToString()));

    public void LinkBlob(string repository, BlobLink link) =>
        db.Execute("INSERT INTO registry_blob_links (repository, digest, size, linked_at) VALUES ($repo, $digest, $size, $at) " +
            "ON CONFLICT (repository, digest) DO UPDATE SET size = excluded.size, linked_at = excluded.linked_at",
            ("$repo", repository), ("$digest", link.Digest.ToString()), ("$size", link.Size), ("$at", Columns.Ticks(link.LinkedAt)));

    public bool UnlinkBlob(string repository, Digest digest) =>
        db.Execute("DELETE FROM registry_blob_links WHERE repository = $repo AND digest = $digest",
            ("$repo", repository), ("$digest", digest.ToString())) == 1;

    public ManifestRecord? FindManifest(string repository, Digest digest) =>
        db.QueryOne("SELECT record FROM registry_manifests WHERE repository = $repo AND digest = $digest", ReadManifest,
            ("$repo", repository), ("$digest", digest.ToString()));

    public void PutManifest(ManifestRecord manifest, string? tag) =>
        db.Run(() =>
        {
            db.Execute("INSERT INTO registry_manifests (repository, digest, record) VALUES ($repo, $digest, $record) " +
                "ON CONFLICT (repository, digest) DO UPDATE SET record = excluded.record",
                ("$repo", manifest.Repository), ("$digest", manifest.Digest.ToString()), ("$record", JsonSerializer.Serialize(manifest, Json)));
            if (tag is not null)
            {
                SetTag(new TagRecord(manifest.Repository, tag, manifest.Digest, manifest.PushedAt));
            }

            return true;
        });

    /// <summary>Writes a tag exactly as given (for importing an index kept elsewhere).</summary>
    public void SetTag(TagRecord tag) =>
        db.Execute("INSERT INTO registry_tags (repository, tag, digest, pushed_at) VALUES ($repo, $tag, $digest, $at) " +
            "ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest, pushed_at = excluded.pushed_at",
            ("$repo", tag.Repository), ("$tag", tag.Tag), ("$digest", tag.Digest.ToString()), ("$at", Columns.Ticks(tag.PushedAt)));

    public bool DeleteManifest(string repository, Digest digest) =>
        db.Run(() =>
        {
            if (db.Execute("DELETE FROM registry_manifests WHERE repository = $repo AND digest = $digest",
                    ("$repo", repository), ("$digest", digest.ToString())) == 0)
            {
                return false;
            }

            db.Execute("DELETE FROM registry_tags WHERE repository = $repo AND digest = $digest", ("$repo", repository), ("$digest", digest.ToString()));
            return true;
        });

    public TagRecord? FindTag(string repository, string tag) =>
        db.QueryOne("SELECT repository, tag, digest, pushed_at FROM registry_tags WHERE repository = $repo AND tag = $tag", ReadTag,
            ("$repo", repository), ("$tag", tag));

    public bool DeleteTag(string repository, string tag) =>
        db.Execute("DELETE FROM registry_tags WHERE repository = $repo AND tag = $tag", ("$repo", repository), ("$tag", tag)) == 1;

    public IReadOnlyList<TagRecord> Tags(string repository) =>
        db.Query("SELECT repository, tag, digest, pushed_at FROM registry_tags WHERE repository = $repo", ReadTag, ("$repo", repository))
            .OrderBy(t => t.Tag, StringComparer.Ordinal).ToList();

    public bool RepositoryExists(string repository) =>
        db.QueryOne("SELECT 'yes' WHERE EXISTS (SELECT 1 FROM registry_manifests WHERE repository = $repo) " +
            "OR EXISTS (SELECT 1 FROM registry_blob_links WHERE repository = $repo)", r => r.GetString(0), ("$repo", repository)) is not null;

    public IReadOnlyList<ManifestRecord> Manifests(string? repository = null) =>
        repository is null
            ? db.Query("SELECT record FROM registry_manifests", ReadManifest)
            : db.Query("SELECT record FROM registry_manifests WHERE repository = $repo", ReadManifest, ("$repo", repository));

    public IReadOnlyList<(string Repository, BlobLink Link)> BlobLinks() =>
        db.Query("SELECT digest, size, linked_at, repository FROM registry_blob_links", r => (r.GetString(3), ReadLink(r)));

    public void Clear() =>
        db.Run(() => db.Execute("DELETE FROM registry_tags; DELETE FROM registry_manifests; DELETE FROM registry_blob_links"));

    /// <summary>The database is the data dir's, shared with every store; it closes with them.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// Takes over the index an earlier version kept as <c>index.log</c> beside the blobs, once: its entries are copied
    /// in one transaction and the log is renamed, so a data dir made before <c>state.db</c> opens with its images.
    /// </summary>
    public void ImportLog(string logPath)
    {
        if (!File.Exists(logPath))
        {
            return;
        }

        using (var log = new DurableRegistryIndex(logPath))
        {
            db.Run(() =>
            {
                foreach (var (repository, link) in log.BlobLinks())
                {
                    LinkBlob(repository, link);
                }

                foreach (var manifest in log.Manifests())
                {
                    PutManifest(manifest, null);
                    foreach (var tag in log.Tags(manifest.Repository).Where(t => t.Digest == manifest.Digest))
                    {
                        SetTag(tag);
                    }
                }

                return true;
            });
        }

        File.Move(logPath, logPath + ".imported", overwrite: true);
    }

    private static BlobLink ReadLink(SqliteDataReader r) =>
        new(Digest.TryParse(r.GetString(0), out var d) ? d : throw new InvalidDataException($"bad digest {r.GetString(0)}"), r.GetInt64(1), r.Time(2));

    private static ManifestRecord ReadManifest(SqliteDataReader r) => JsonSerializer.Deserialize<ManifestRecord>(r.GetString(0), Json)!;

    private static TagRecord ReadTag(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), Digest.TryParse(r.GetString(2), out var d) ? d : throw new InvalidDataException($"bad digest {r.GetString(2)}"), r.Time(3));
}
