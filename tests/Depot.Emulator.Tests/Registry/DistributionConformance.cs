using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

/// <summary>A registry the conformance suite runs against, with what it is known to leave out of the spec.</summary>
public sealed record ConformanceTarget(
    OciClient Client,
    string Repository,
    string SourceRepository,
    bool ServesReferrers,
    bool DeletesTags,
    bool PagesTags,
    bool ListsTagsInOrder,
    bool TakesSinglePostUploads,
    bool ChecksChunkOrder);

/// <summary>
/// The distribution spec's four workflows — pull, push, content discovery, content management — over raw HTTP.
/// It runs against the emulator and, to prove the suite itself, against docker-registry 2.8.2. Where that
/// registry predates a part of spec 1.1 (referrers, tag deletion, tag paging and order, single-POST uploads, chunk order),
/// the suite asserts what it does instead, so every flag is a known, tested difference.
/// </summary>
public abstract class DistributionConformance : IAsyncLifetime
{
    private ConformanceTarget _target = null!;

    protected abstract Task<ConformanceTarget> StartAsync();

    protected abstract ValueTask StopAsync();

    public async ValueTask InitializeAsync() => _target = await StartAsync();

    public ValueTask DisposeAsync() => StopAsync();

    private OciClient Client => _target.Client;

    private string Repo => _target.Repository;

    // ---- pull

    [Fact]
    public async Task Pull_a_manifest_by_tag_and_by_digest()
    {
        var image = TestImage.Create(101);
        var digest = await Client.PushImageAsync(Repo, "pull-me", image);
        Assert.Equal(image.Digest, digest);
        foreach (var reference in new[] { "pull-me", digest })
        {
            using var get = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/{reference}",
                configure: r => r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(image.MediaType)));
            await OciClient.Expect(get, HttpStatusCode.OK);
            Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(digest, get.Headers.GetValues("Docker-Content-Digest").Single());
            Assert.Equal(image.MediaType, get.Content.Headers.ContentType!.MediaType);
        }

        using var head = await Client.SendAsync(HttpMethod.Head, $"/v2/{Repo}/manifests/pull-me");
        await OciClient.Expect(head, HttpStatusCode.OK);
        Assert.Equal(image.Manifest.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Pull_blobs_whole_partially_and_by_head()
    {
        var image = TestImage.Create(102, layerSize: 10_000);
        await Client.PushImageAsync(Repo, "blobs", image);
        var layer = image.Layers[0];
        var path = $"/v2/{Repo}/blobs/{OciClient.Digest(layer)}";

        using var get = await Client.SendAsync(HttpMethod.Get, path);
        await OciClient.Expect(get, HttpStatusCode.OK);
        Assert.Equal(layer, await get.Content.ReadAsByteArrayAsync());

        using var head = await Client.SendAsync(HttpMethod.Head, path);
        await OciClient.Expect(head, HttpStatusCode.OK);
        Assert.Equal(layer.Length, head.Content.Headers.ContentLength);

        using var range = await Client.SendAsync(HttpMethod.Get, path, configure: r => r.Headers.Range = new RangeHeaderValue(100, 199));
        await OciClient.Expect(range, HttpStatusCode.PartialContent);
        Assert.Equal(layer.AsSpan(100, 100).ToArray(), await range.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 100-199/{layer.Length}", range.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Pulling_what_is_not_there_is_a_coded_404()
    {
        await Client.PushImageAsync(Repo, "present", TestImage.Create(103));
        using var manifest = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/absent");
        Assert.Equal(HttpStatusCode.NotFound, manifest.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await OciClient.ErrorCode(manifest));

        using var blob = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/blobs/{OciClient.Digest("absent"u8.ToArray())}");
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await OciClient.ErrorCode(blob));
    }

    // ---- push

    [Fact]
    public async Task Push_a_blob_in_one_request_with_post_and_digest()
    {
        var content = Encoding.UTF8.GetBytes("single post");
        var digest = OciClient.Digest(content);
        using var post = await Client.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/?digest={digest}", OciClient.Octets(content));
        if (_target.TakesSinglePostUploads)
        {
            await OciClient.Expect(post, HttpStatusCode.Created);
            Assert.EndsWith($"/v2/{Repo}/blobs/{digest}", post.Headers.Location!.ToString());
            await AssertBlob(digest, content);
        }
        else
        {
            // The spec lets a registry answer with an upload session instead; the client then PUTs.
            await OciClient.Expect(post, HttpStatusCode.Accepted);
            using var put = await Client.SendAsync(HttpMethod.Put, OciClient.WithQuery(post.Headers.Location!, $"digest={digest}"), OciClient.Octets(content));
            await OciClient.Expect(put, HttpStatusCode.Created);
            await AssertBlob(digest, content);
        }
    }

    [Fact]
    public async Task Push_a_blob_with_post_then_put()
    {
        var content = Encoding.UTF8.GetBytes("post then put");
        var digest = await Client.PushBlobAsync(Repo, content);
        await AssertBlob(digest, content);
    }

    [Fact]
    public async Task Push_a_blob_in_chunks_and_read_the_upload_status_between()
    {
        var content = new byte[25_000];
        new Random(7).NextBytes(content);
        using var start = await Client.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/");
        await OciClient.Expect(start, HttpStatusCode.Accepted);
        var first = OciClient.Octets(content[..10_000]);
        first.Headers.TryAddWithoutValidation("Content-Range", "0-9999");
        using var patch = await Client.SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), first);
        await OciClient.Expect(patch, HttpStatusCode.Accepted);

        using var status = await Client.SendAsync(HttpMethod.Get, patch.Headers.Location!.ToString());
        await OciClient.Expect(status, HttpStatusCode.NoContent);
        Assert.Equal("0-9999", status.Headers.GetValues("Range").Single());

        var rest = OciClient.Octets(content[10_000..]);
        rest.Headers.TryAddWithoutValidation("Content-Range", "10000-24999");
        using var second = await Client.SendAsync(HttpMethod.Patch, status.Headers.Location!.ToString(), rest);
        await OciClient.Expect(second, HttpStatusCode.Accepted);
        var digest = OciClient.Digest(content);
        using var put = await Client.SendAsync(HttpMethod.Put, OciClient.WithQuery(second.Headers.Location!, $"digest={digest}"));
        await OciClient.Expect(put, HttpStatusCode.Created);
        await AssertBlob(digest, content);

        Assert.Equal(digest, await Client.PushBlobChunkedAsync(Repo, content, 4096));
    }

    [Fact]
    public async Task A_chunk_out_of_order_is_416()
    {
        using var start = await Client.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/");
        var first = OciClient.Octets(new byte[100]);
        first.Headers.TryAddWithoutValidation("Content-Range", "0-99");
        using var patch = await Client.SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), first);
        await OciClient.Expect(patch, HttpStatusCode.Accepted);
        var skipped = OciClient.Octets(new byte[100]);
        skipped.Headers.TryAddWithoutValidation("Content-Range", "200-299");
        using var outOfOrder = await Client.SendAsync(HttpMethod.Patch, patch.Headers.Location!.ToString(), skipped);
        // docker-registry 2.8 does not read Content-Range and appends the chunk where the upload is.
        Assert.Equal(_target.ChecksChunkOrder ? HttpStatusCode.RequestedRangeNotSatisfiable : HttpStatusCode.Accepted, outOfOrder.StatusCode);
    }

    [Fact]
    public async Task A_digest_mismatch_is_refused_and_stores_nothing()
    {
        var content = Encoding.UTF8.GetBytes("real content");
        var claimed = OciClient.Digest(Encoding.UTF8.GetBytes("something else"));
        using var start = await Client.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/");
        using var put = await Client.SendAsync(HttpMethod.Put, OciClient.WithQuery(start.Headers.Location!, $"digest={claimed}"), OciClient.Octets(content));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await OciClient.ErrorCode(put));
        foreach (var digest in new[] { claimed, OciClient.Digest(content) })
        {
            using var head = await Client.SendAsync(HttpMethod.Head, $"/v2/{Repo}/blobs/{digest}");
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
    }

    [Fact]
    public async Task Mount_a_blob_from_another_repository()
    {
        var content = Encoding.UTF8.GetBytes("mount me");
        var digest = await Client.PushBlobAsync(_target.SourceRepository, content);
        using var mount = await Client.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/?mount={digest}&from={_target.SourceRepository}");
        await OciClient.Expect(mount, HttpStatusCode.Created);
        Assert.Equal(digest, mount.Headers.GetValues("Docker-Content-Digest").Single());
        await AssertBlob(digest, content);

        var missing = OciClient.Digest(Encoding.UTF8.GetBytes("never pushed"));
        using var fallback = await Client.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/?mount={missing}&from={_target.SourceRepository}");
        await OciClient.Expect(fallback, HttpStatusCode.Accepted);
        Assert.Contains("/blobs/uploads/", fallback.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Push_manifests_by_tag_and_digest_and_an_index_over_them()
    {
        var amd = TestImage.Create(104);
        var arm = TestImage.Create(105, docker: true);
        await Client.PushImageAsync(Repo, amd.Digest, amd);
        await Client.PushImageAsync(Repo, "arm", arm);
        var index = TestImage.Index(amd, arm);
        var digest = await Client.PushManifestAsync(Repo, "multi", index, "application/vnd.oci.image.index.v1+json");
        Assert.Equal(OciClient.Digest(index), digest);
        using var get = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/multi",
            configure: r => r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.index.v1+json")));
        Assert.Equal(index, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/vnd.oci.image.index.v1+json", get.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_manifest_with_a_missing_blob_or_bad_json_is_refused()
    {
        var image = TestImage.Create(106);
        await Client.PushBlobAsync(Repo, image.Config);
        var content = new ByteArrayContent(image.Manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(image.MediaType);
        using var missing = await Client.SendAsync(HttpMethod.Put, $"/v2/{Repo}/manifests/broken", content);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await OciClient.ErrorCode(missing));

        var garbage = new ByteArrayContent("{not json"u8.ToArray());
        garbage.Headers.ContentType = new MediaTypeHeaderValue(image.MediaType);
        using var invalid = await Client.SendAsync(HttpMethod.Put, $"/v2/{Repo}/manifests/broken", garbage);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await OciClient.ErrorCode(invalid));

        using var after = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/broken");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    // ---- content discovery

    [Fact]
    public async Task List_tags_in_order_and_page_through_them()
    {
        var image = TestImage.Create(107);
        await Client.PushImageAsync(Repo, "c", image);
        foreach (var tag in new[] { "a", "b", "d" })
        {
            await Client.PushManifestAsync(Repo, tag, image.Manifest, image.MediaType);
        }

        var tags = await Client.TagsAsync(Repo);
        Assert.Equal(["a", "b", "c", "d"], _target.ListsTagsInOrder ? tags : tags.Order(StringComparer.Ordinal).ToList());
        using var page = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/tags/list?n=2");
        var firstPage = await Client.TagsAsync(Repo, "?n=2");
        if (_target.PagesTags)
        {
            Assert.Equal(["a", "b"], firstPage);
            Assert.Contains("rel=\"next\"", page.Headers.GetValues("Link").Single());
            Assert.Equal(["c", "d"], await Client.TagsAsync(Repo, "?n=2&last=b"));
            Assert.Equal(["d"], await Client.TagsAsync(Repo, "?last=c"));
        }
        else
        {
            Assert.Equal(["a", "b", "c", "d"], firstPage.Order(StringComparer.Ordinal));
            Assert.False(page.Headers.Contains("Link"));
        }
    }

    [Fact]
    public async Task Referrers_list_the_manifests_whose_subject_is_the_digest()
    {
        var image = TestImage.Create(108);
        var subject = await Client.PushImageAsync(Repo, "signed", image);
        var signature = TestImage.Create(109, subject: subject, subjectSize: image.Manifest.Length, artifactType: "application/vnd.example.signature");
        foreach (var blob in signature.Blobs)
        {
            await Client.PushBlobAsync(Repo, blob);
        }

        var content = new ByteArrayContent(signature.Manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(signature.MediaType);
        using var put = await Client.SendAsync(HttpMethod.Put, $"/v2/{Repo}/manifests/{signature.Digest}", content);
        await OciClient.Expect(put, HttpStatusCode.Created);

        using var referrers = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/referrers/{subject}");
        if (_target.ServesReferrers)
        {
            Assert.Equal(subject, put.Headers.GetValues("OCI-Subject").Single());
            await OciClient.Expect(referrers, HttpStatusCode.OK);
            using var index = JsonDocument.Parse(await referrers.Content.ReadAsStringAsync());
            var found = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal(signature.Digest, found.GetProperty("digest").GetString());
            Assert.Equal("application/vnd.example.signature", found.GetProperty("artifactType").GetString());

            using var filtered = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/referrers/{subject}?artifactType=application/other");
            Assert.Equal("artifactType", filtered.Headers.GetValues("OCI-Filters-Applied").Single());
            using var none = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
            Assert.Empty(none.RootElement.GetProperty("manifests").EnumerateArray());
        }
        else
        {
            Assert.Equal(HttpStatusCode.NotFound, referrers.StatusCode);
        }
    }

    // ---- content management

    [Fact]
    public async Task Delete_a_manifest_and_keep_another_that_shares_its_blobs()
    {
        var first = TestImage.Create(110);
        var second = TestImage.Create(111, sharedLayers: [first.Layers[0]]);
        var firstDigest = await Client.PushImageAsync(Repo, "first", first);
        await Client.PushImageAsync(Repo, "second", second);

        using var delete = await Client.SendAsync(HttpMethod.Delete, $"/v2/{Repo}/manifests/{firstDigest}");
        await OciClient.Expect(delete, HttpStatusCode.Accepted);
        using var gone = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/{firstDigest}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain("first", await Client.TagsAsync(Repo));

        using var kept = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/second");
        await OciClient.Expect(kept, HttpStatusCode.OK);
        foreach (var blob in second.Blobs)
        {
            await AssertBlob(OciClient.Digest(blob), blob);
        }
    }

    [Fact]
    public async Task Delete_a_tag()
    {
        var image = TestImage.Create(112);
        await Client.PushImageAsync(Repo, "keep", image);
        await Client.PushManifestAsync(Repo, "drop", image.Manifest, image.MediaType);
        using var delete = await Client.SendAsync(HttpMethod.Delete, $"/v2/{Repo}/manifests/drop");
        if (_target.DeletesTags)
        {
            await OciClient.Expect(delete, HttpStatusCode.Accepted);
            Assert.Equal(["keep"], await Client.TagsAsync(Repo));
            using var stillThere = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/keep");
            await OciClient.Expect(stillThere, HttpStatusCode.OK);
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
            Assert.Equal(["drop", "keep"], (await Client.TagsAsync(Repo)).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Delete_a_blob_and_an_upload()
    {
        var content = Encoding.UTF8.GetBytes("delete me");
        var digest = await Client.PushBlobAsync(Repo, content);
        using var delete = await Client.SendAsync(HttpMethod.Delete, $"/v2/{Repo}/blobs/{digest}");
        await OciClient.Expect(delete, HttpStatusCode.Accepted);
        using var gone = await Client.SendAsync(HttpMethod.Head, $"/v2/{Repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        using var start = await Client.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/");
        using var cancel = await Client.SendAsync(HttpMethod.Delete, start.Headers.Location!.ToString());
        await OciClient.Expect(cancel, HttpStatusCode.NoContent);
        using var unknown = await Client.SendAsync(HttpMethod.Get, start.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await OciClient.ErrorCode(unknown));
    }

    private async Task AssertBlob(string digest, byte[] content)
    {
        using var get = await Client.SendAsync(HttpMethod.Get, $"/v2/{Repo}/blobs/{digest}");
        await OciClient.Expect(get, HttpStatusCode.OK);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, get.Headers.GetValues("Docker-Content-Digest").Single());
    }
}

/// <summary>The suite against the emulator on a loopback port, as a project token of <c>proj-web</c> sees it.</summary>
public sealed class EmulatorConformanceTests : DistributionConformance
{
    private LoopbackEmulator? _emulator;

    protected override async Task<ConformanceTarget> StartAsync()
    {
        _emulator = await LoopbackEmulator.StartAsync();
        return new ConformanceTarget(new OciClient(_emulator.Http, TestSeeds.Secret(TokenType.Organization)), "proj-web", "proj-api",
            ServesReferrers: true, DeletesTags: true, PagesTags: true, ListsTagsInOrder: true, TakesSinglePostUploads: true,
            ChecksChunkOrder: true);
    }

    protected override async ValueTask StopAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}

/// <summary>The same suite against docker-registry 2.8.2, proving the suite asserts what a reference registry does.</summary>
public sealed class DockerRegistryConformanceTests : DistributionConformance
{
    private DockerRegistry? _registry;

    protected override async Task<ConformanceTarget> StartAsync()
    {
        _registry = await DockerRegistry.StartAsync();
        return new ConformanceTarget(new OciClient(_registry.Http), "conformance/main", "conformance/source",
            ServesReferrers: false, DeletesTags: false, PagesTags: false, ListsTagsInOrder: false, TakesSinglePostUploads: false,
            ChecksChunkOrder: false);
    }

    protected override async ValueTask StopAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}
