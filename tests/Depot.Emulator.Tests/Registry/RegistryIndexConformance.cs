using Depot.Emulator.Domain.Registry;
using Depot.Emulator.Sqlite;

namespace Depot.Emulator.Tests.Registry;

/// <summary>What every <see cref="IRegistryIndex"/> must do; each implementation runs it.</summary>
public abstract class RegistryIndexConformance : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    protected static readonly Digest A = Digest.Of("a"u8);
    protected static readonly Digest B = Digest.Of("b"u8);
    protected static readonly Digest C = Digest.Of("c"u8);

    protected RegistryIndexConformance()
    {
        Directory = Path.Combine(Path.GetTempPath(), "depot-index-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Index = Open();
    }

    protected string Directory { get; }

    protected IRegistryIndex Index { get; set; }

    protected abstract IRegistryIndex Open();

    public void Dispose()
    {
        Index.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected static ManifestRecord Manifest(string repository, Digest digest, DateTimeOffset at, params Digest[] blobs) =>
        new(repository, digest, MediaTypes.OciManifest, 100, at, blobs.Select(b => new Descriptor("x", b, 1)).ToList(), [], null, null, null);

    [Fact]
    public void Blob_links_belong_to_one_repository()
    {
        Index.LinkBlob("p", new BlobLink(A, 1, T0));
        Assert.Equal(new BlobLink(A, 1, T0), Index.FindBlobLink("p", A));
        Assert.Null(Index.FindBlobLink("q", A));
        Assert.True(Index.RepositoryExists("p"));
        Assert.False(Index.RepositoryExists("q"));
        Assert.True(Index.UnlinkBlob("p", A));
        Assert.False(Index.UnlinkBlob("p", A));
        Assert.Null(Index.FindBlobLink("p", A));
    }

    [Fact]
    public void A_tag_points_at_one_manifest_and_moves_when_pushed_again()
    {
        Index.PutManifest(Manifest("p", A, T0), "latest");
        Index.PutManifest(Manifest("p", B, T0.AddHours(1)), "latest");
        Assert.Equal(B, Index.FindTag("p", "latest")!.Digest);
        Assert.Equal(T0.AddHours(1), Index.FindTag("p", "latest")!.PushedAt);
        Assert.NotNull(Index.FindManifest("p", A));
        Assert.Null(Index.FindTag("q", "latest"));
    }

    [Fact]
    public void Tags_are_listed_in_ordinal_order()
    {
        foreach (var tag in new[] { "b", "B", "a", "a-1", "10", "9" })
        {
            Index.PutManifest(Manifest("p", A, T0), tag);
        }

        Assert.Equal(["10", "9", "B", "a", "a-1", "b"], Index.Tags("p").Select(t => t.Tag));
    }

    [Fact]
    public void Deleting_a_manifest_removes_its_tags_and_nothing_else()
    {
        Index.LinkBlob("p", new BlobLink(C, 1, T0));
        Index.PutManifest(Manifest("p", A, T0, C), "one");
        Index.PutManifest(Manifest("p", A, T0, C), "two");
        Index.PutManifest(Manifest("p", B, T0, C), "three");
        Assert.True(Index.DeleteManifest("p", A));
        Assert.False(Index.DeleteManifest("p", A));
        Assert.Equal(["three"], Index.Tags("p").Select(t => t.Tag));
        Assert.NotNull(Index.FindBlobLink("p", C));
        Assert.Equal([B], Index.Manifests("p").Select(m => m.Digest));
    }

    [Fact]
    public void Deleting_a_tag_keeps_the_manifest()
    {
        Index.PutManifest(Manifest("p", A, T0), "one");
        Assert.True(Index.DeleteTag("p", "one"));
        Assert.False(Index.DeleteTag("p", "one"));
        Assert.NotNull(Index.FindManifest("p", A));
        Assert.Empty(Index.Tags("p"));
    }

    [Fact]
    public void Listings_span_repositories_and_clear_empties_everything()
    {
        Index.LinkBlob("p", new BlobLink(A, 1, T0));
        Index.LinkBlob("q", new BlobLink(A, 1, T0));
        Index.PutManifest(Manifest("q", B, T0, A), "t");
        Assert.Equal(2, Index.BlobLinks().Count);
        Assert.Single(Index.Manifests());
        Assert.Empty(Index.Manifests("p"));
        Index.Clear();
        Assert.Empty(Index.BlobLinks());
        Assert.Empty(Index.Manifests());
        Assert.Empty(Index.Tags("q"));
    }
}

public sealed class MemoryRegistryIndexTests : RegistryIndexConformance
{
    protected override IRegistryIndex Open() => new MemoryRegistryIndex();
}

public sealed class DurableRegistryIndexTests : RegistryIndexConformance
{
    private string LogPath => Path.Combine(Directory, "index.log");

    protected override IRegistryIndex Open() => new DurableRegistryIndex(LogPath);

    [Fact]
    public void Everything_acknowledged_is_there_after_reopening()
    {
        Index.LinkBlob("p", new BlobLink(A, 1, T0));
        Index.LinkBlob("p", new BlobLink(C, 3, T0));
        Index.PutManifest(Manifest("p", B, T0, A), "latest");
        Index.PutManifest(Manifest("p", B, T0, A), "old");
        Index.PutManifest(Manifest("p", B, T0.AddDays(1), A), "new");
        Index.UnlinkBlob("p", C);
        Index.DeleteTag("p", "old");
        Reopen();
        Assert.Equal(new BlobLink(A, 1, T0), Index.FindBlobLink("p", A));
        Assert.Null(Index.FindBlobLink("p", C));
        Assert.Equal(["latest", "new"], Index.Tags("p").Select(t => t.Tag));
        Assert.Equal(T0, Index.FindTag("p", "latest")!.PushedAt);
        Assert.Equal(T0.AddDays(1), Index.FindTag("p", "new")!.PushedAt);
        Assert.Equal(A, Assert.Single(Index.FindManifest("p", B)!.Blobs).Digest);
        Reopen(); // a compacted log replays to the same state
        Assert.Equal(["latest", "new"], Index.Tags("p").Select(t => t.Tag));
    }

    [Fact]
    public void A_write_cut_short_by_a_crash_is_dropped_and_the_rest_kept()
    {
        Index.PutManifest(Manifest("p", A, T0), "kept");
        Index.Dispose();
        File.AppendAllText(LogPath, "{\"op\":\"manifest\",\"repository\":\"p\",\"manif");
        Index = Open();
        Assert.Equal(["kept"], Index.Tags("p").Select(t => t.Tag));
        Index.PutManifest(Manifest("p", B, T0), "after");
        Reopen();
        Assert.Equal(["after", "kept"], Index.Tags("p").Select(t => t.Tag));
    }

    private void Reopen()
    {
        Index.Dispose();
        Index = Open();
    }
}

public sealed class SqliteRegistryIndexTests : RegistryIndexConformance
{
    private SqliteDatabase? _db;

    protected override IRegistryIndex Open()
    {
        _db?.Dispose();
        _db = SqliteDatabase.Open(Path.Combine(Directory, "state.db"), [SqliteRegistryIndex.Area]);
        return new SqliteRegistryIndex(_db);
    }

    [Fact]
    public void Everything_acknowledged_is_there_after_reopening()
    {
        Index.LinkBlob("p", new BlobLink(A, 1, T0));
        Index.PutManifest(Manifest("p", B, T0, A), "latest");
        Index.PutManifest(Manifest("p", C, T0.AddDays(1), A), "new");
        Index.DeleteManifest("p", C);
        Index = Open();
        Assert.Equal(new BlobLink(A, 1, T0), Index.FindBlobLink("p", A));
        Assert.Equal(["latest"], Index.Tags("p").Select(t => t.Tag));
        Assert.Equal(A, Assert.Single(Index.FindManifest("p", B)!.Blobs).Digest);
    }

    [Fact]
    public void An_index_log_from_an_earlier_version_is_taken_over_once()
    {
        var log = Path.Combine(Directory, "index.log");
        using (var earlier = new DurableRegistryIndex(log))
        {
            earlier.LinkBlob("p", new BlobLink(A, 1, T0));
            earlier.PutManifest(Manifest("p", B, T0, A), "v1");
        }

        ((SqliteRegistryIndex)Index).ImportLog(log);
        Assert.False(File.Exists(log));
        Assert.Equal(B, Index.FindTag("p", "v1")!.Digest);
        Assert.Equal(new BlobLink(A, 1, T0), Index.FindBlobLink("p", A));
    }
}
