using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

/// <summary>Client garbage gets a catalogued OCI error and changes nothing; resets, expiry and enforcement modes reach the registry.</summary>
public class RegistryApiTests : IAsyncLifetime
{
    private InMemoryEmulator _emulator = null!;

    private OciClient Client => new(_emulator.Http, TestSeeds.Secret(TokenType.Organization));

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    public static TheoryData<string, string, string?, string?, int, string> Garbage() => new()
    {
        { "GET", "/v2/Proj-Web/tags/list", null, null, 400, "NAME_INVALID" },
        { "GET", "/v2/proj-web/manifests/bad%20tag", null, null, 400, "MANIFEST_INVALID" },
        { "GET", "/v2/proj-web/manifests/sha256:xyz", null, null, 400, "DIGEST_INVALID" },
        { "GET", "/v2/proj-web/blobs/md5:abc", null, null, 400, "DIGEST_INVALID" },
        { "GET", "/v2/proj-web/blobs/uploads/nope", null, null, 404, "BLOB_UPLOAD_UNKNOWN" },
        { "PUT", "/v2/proj-web/blobs/uploads/nope?digest=sha256:" + Hex, null, null, 404, "BLOB_UPLOAD_UNKNOWN" },
        { "GET", "/v2/proj-web/referrers/not-a-digest", null, null, 400, "DIGEST_INVALID" },
        { "GET", "/v2/proj-web/tags/list?n=-1", null, null, 400, "PAGINATION_NUMBER_INVALID" },
        { "GET", "/v2/_catalog", null, null, 405, "UNSUPPORTED" },
        { "PATCH", "/v2/proj-web/manifests/v1", null, null, 405, "UNSUPPORTED" },
        { "POST", "/v2/proj-web/blobs/uploads/?mount=sha256:nope&from=proj-api", null, null, 400, "DIGEST_INVALID" },
        { "PUT", "/v2/proj-web/manifests/v1", "{\"schemaVersion\":1}", "application/vnd.oci.image.manifest.v1+json", 400, "MANIFEST_INVALID" },
        { "PUT", "/v2/proj-web/manifests/v1", "[]", "application/vnd.oci.image.manifest.v1+json", 400, "MANIFEST_INVALID" },
        { "PUT", "/v2/proj-web/manifests/v1", "{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}", "text/plain", 400, "MANIFEST_INVALID" },
        { "PUT", "/v2/proj-web/manifests/v1", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}", "application/vnd.oci.image.manifest.v1+json", 400, "MANIFEST_INVALID" },
        { "PUT", "/v2/proj-web/manifests/v1", "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:1\",\"size\":1},\"layers\":[]}", "application/vnd.oci.image.manifest.v1+json", 400, "MANIFEST_INVALID" },
        { "PUT", "/v2/proj-web/manifests/v1", "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:" + Hex + "\",\"size\":-5},\"layers\":[]}", "application/vnd.oci.image.manifest.v1+json", 400, "MANIFEST_INVALID" },
        { "PUT", "/v2/proj-web/manifests/sha256:" + Hex, "{\"schemaVersion\":2,\"manifests\":[]}", "application/vnd.oci.image.index.v1+json", 400, "DIGEST_INVALID" },
    };

    private const string Hex = "0000000000000000000000000000000000000000000000000000000000000000";

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Bad_requests_get_a_catalogued_error(string method, string path, string? body, string? contentType, int status, string code)
    {
        HttpContent? content = null;
        if (body is not null)
        {
            content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        }

        using var response = await Client.SendAsync(new HttpMethod(method), path, content);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, await OciClient.ErrorCode(response));
        Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-API-Version").Single());
        Assert.Empty(await Client.TagsOrEmpty("proj-web"));
    }

    [Fact]
    public async Task An_empty_blob_is_a_blob()
    {
        var empty = OciClient.Digest([]);
        using var post = await Client.SendAsync(HttpMethod.Post, $"/v2/proj-web/blobs/uploads/?digest={empty}", OciClient.Octets([]));
        await OciClient.Expect(post, HttpStatusCode.Created);
        using var get = await Client.SendAsync(HttpMethod.Get, $"/v2/proj-web/blobs/{empty}");
        await OciClient.Expect(get, HttpStatusCode.OK);
        Assert.Equal(0, get.Content.Headers.ContentLength);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_manifest_larger_than_the_limit_is_413()
    {
        var content = new ByteArrayContent(new byte[5 * 1024 * 1024]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var response = await Client.SendAsync(HttpMethod.Put, "/v2/proj-web/manifests/big", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("SIZE_INVALID", await OciClient.ErrorCode(response));
    }

    [Fact]
    public async Task A_content_range_that_is_not_a_range_is_refused_and_the_upload_goes_on()
    {
        using var start = await Client.SendAsync(HttpMethod.Post, "/v2/proj-web/blobs/uploads/");
        var chunk = OciClient.Octets("abc"u8.ToArray());
        chunk.Headers.TryAddWithoutValidation("Content-Range", "banana");
        using var bad = await Client.SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), chunk);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, bad.StatusCode);
        var wrongLength = OciClient.Octets("abc"u8.ToArray());
        wrongLength.Headers.TryAddWithoutValidation("Content-Range", "0-9");
        using var mismatch = await Client.SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), wrongLength);
        Assert.Equal("SIZE_INVALID", await OciClient.ErrorCode(mismatch));

        using var put = await Client.SendAsync(HttpMethod.Put, OciClient.WithQuery(start.Headers.Location!, "digest=" + OciClient.Digest("abc"u8.ToArray())), OciClient.Octets("abc"u8.ToArray()));
        await OciClient.Expect(put, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Upload_sessions_expire_when_the_clock_moves()
    {
        using var start = await Client.SendAsync(HttpMethod.Post, "/v2/proj-web/blobs/uploads/");
        await _emulator.Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = 3601 });
        using var status = await Client.SendAsync(HttpMethod.Get, start.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await OciClient.ErrorCode(status));
    }

    [Fact]
    public async Task A_reset_empties_the_registry()
    {
        await Client.PushImageAsync("proj-web", "v1", TestImage.Create(60));
        Assert.Equal(["v1"], await Client.TagsAsync("proj-web"));
        await _emulator.Http.PostAsync("/_emulator/reset", null);
        Assert.Empty(await Client.TagsOrEmpty("proj-web"));
    }

    [Fact]
    public async Task Soft_enforcement_lets_a_pull_token_push_and_journals_the_would_be_denial()
    {
        await using var soft = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--enforcement", "soft");
        var pull = new OciClient(soft.Http, TestSeeds.Secret(TokenType.Pull));
        await pull.PushImageAsync("proj-web", "v1", TestImage.Create(61));
        var journal = await soft.Http.GetStringAsync("/_emulator/journal?operation=registry.push");
        Assert.Contains("would-deny", journal);
        Assert.Contains("pull tokens grant read-only Registry access", journal);
    }

    [Fact]
    public async Task Without_enforcement_anonymous_clients_push_and_pull()
    {
        await using var off = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--enforcement", "off");
        var anonymous = new OciClient(off.Http);
        var image = TestImage.Create(62);
        await anonymous.PushImageAsync("proj-web", "v1", image);
        using var get = await anonymous.SendAsync(HttpMethod.Get, "/v2/proj-web/manifests/v1");
        Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
    }
}

internal static class OciClientTestExtensions
{
    /// <summary>Tags, or none when the repository has never had any (NAME_UNKNOWN).</summary>
    public static async Task<List<string>> TagsOrEmpty(this OciClient client, string repository)
    {
        using var response = await client.SendAsync(HttpMethod.Get, $"/v2/{repository}/tags/list");
        return response.StatusCode == HttpStatusCode.NotFound ? [] : await client.TagsAsync(repository);
    }
}
