using Depot.Emulator.Domain.Cache;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.Tests.Cache;

/// <summary>What every <see cref="ICacheIndex"/> must do; each implementation runs it.</summary>
public abstract class CacheIndexConformance : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected CacheIndexConformance() => Index = Open();

    protected ICacheIndex Index { get; }

    protected abstract ICacheIndex Open();

    public void Dispose()
    {
        Index.Dispose();
        GC.SuppressFinalize(this);
    }

    private static CacheEntry Entry(string org, string type, string key, string content = "x", params CacheSegment[] segments) =>
        new(org, type, key, Digest.Of(System.Text.Encoding.UTF8.GetBytes(content)), content.Length, null, T0, T0, 0, segments, []);

    [Fact]
    public void Entries_belong_to_one_organization_and_one_type()
    {
        Index.Put(Entry("org-a", "gocache", "k1"));
        Assert.NotNull(Index.Find("org-a", "gocache", "k1"));
        Assert.Null(Index.Find("org-b", "gocache", "k1"));
        Assert.Null(Index.Find("org-a", "turbo", "k1"));
        Assert.True(Index.Delete("org-a", "gocache", "k1"));
        Assert.False(Index.Delete("org-a", "gocache", "k1"));
        Assert.Null(Index.Find("org-a", "gocache", "k1"));
    }

    [Fact]
    public void Putting_a_key_again_replaces_its_entry()
    {
        Index.Put(Entry("org-a", "gradle", "k", "one"));
        Index.Put(Entry("org-a", "gradle", "k", "three"));
        Assert.Equal(5, Index.Find("org-a", "gradle", "k")!.Size);
        Assert.Single(Index.All("org-a"));
    }

    [Fact]
    public void Listing_is_in_key_order_by_prefix_and_pages_after_a_key()
    {
        foreach (var key in new[] { "b/2", "a/1", "b/1", "b/3", "c" })
        {
            Index.Put(Entry("org-a", "generic", key));
        }

        Index.Put(Entry("org-b", "generic", "b/9"));
        Assert.Equal(["b/1", "b/2", "b/3"], Index.List("org-a", "generic", "b/", null, 10).Select(e => e.Key));
        Assert.Equal(["b/2", "b/3"], Index.List("org-a", "generic", "b/", "b/1", 10).Select(e => e.Key));
        Assert.Equal(["a/1", "b/1"], Index.List("org-a", "generic", "", null, 2).Select(e => e.Key));
    }

    [Fact]
    public void A_hit_is_counted_and_moves_last_use()
    {
        Index.Put(Entry("org-a", "bazel-ac", "k"));
        Assert.True(Index.RecordHit("org-a", "bazel-ac", "k", T0.AddDays(3)));
        Assert.True(Index.RecordHit("org-a", "bazel-ac", "k", T0.AddDays(4)));
        var entry = Index.Find("org-a", "bazel-ac", "k")!;
        Assert.Equal(2, entry.Hits);
        Assert.Equal(T0.AddDays(4), entry.LastUsedAt);
        Assert.False(Index.RecordHit("org-a", "bazel-ac", "missing", T0));
    }

    [Fact]
    public void A_bundle_is_found_by_a_segment_subkey()
    {
        Index.Put(Entry("org-a", "generic", "bundle", "abcdef", new CacheSegment("first", 0, 3), new CacheSegment("second", 3, 3)));
        Assert.Equal("bundle", Index.FindBySegment("org-a", "generic", "second")!.Key);
        Assert.Null(Index.FindBySegment("org-b", "generic", "second"));
        Assert.Null(Index.FindBySegment("org-a", "generic", "third"));
    }

    [Fact]
    public void Clear_empties_every_organization()
    {
        Index.Put(Entry("org-a", "generic", "k"));
        Index.Put(Entry("org-b", "generic", "k"));
        Index.Clear();
        Assert.Empty(Index.All());
    }
}

public sealed class MemoryCacheIndexTests : CacheIndexConformance
{
    protected override ICacheIndex Open() => new MemoryCacheIndex();
}
