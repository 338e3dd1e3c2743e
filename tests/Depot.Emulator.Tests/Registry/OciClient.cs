using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Depot.Emulator.Tests.Registry;

/// <summary>A raw distribution-API client for tests: every request and answer is visible, nothing is retried.</summary>
public sealed class OciClient(HttpClient http, string? secret = null)
{
    public static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    public HttpClient Http { get; } = http;

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null,
        Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("x-token:" + secret)));
        }

        if (path.Contains("/manifests/", StringComparison.Ordinal))
        {
            // As real clients do; docker-registry answers 404 for an OCI manifest that was not asked for.
            foreach (var type in ManifestTypes)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }
        }

        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    /// <summary>POST then PUT with the whole body, the spec's monolithic upload.</summary>
    public async Task<string> PushBlobAsync(string repository, byte[] content)
    {
        var digest = Digest(content);
        using var start = await SendAsync(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/");
        await Expect(start, HttpStatusCode.Accepted);
        using var put = await SendAsync(HttpMethod.Put, WithQuery(start.Headers.Location!, $"digest={digest}"), Octets(content));
        await Expect(put, HttpStatusCode.Created);
        return digest;
    }

    /// <summary>POST, then PATCH chunks with Content-Range, then PUT with the digest.</summary>
    public async Task<string> PushBlobChunkedAsync(string repository, byte[] content, int chunkSize)
    {
        var digest = Digest(content);
        using var start = await SendAsync(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/");
        await Expect(start, HttpStatusCode.Accepted);
        var location = start.Headers.Location!;
        for (var offset = 0; offset < content.Length; offset += chunkSize)
        {
            var length = Math.Min(chunkSize, content.Length - offset);
            var chunk = Octets(content.AsSpan(offset, length).ToArray());
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
            using var patch = await SendAsync(HttpMethod.Patch, location.ToString(), chunk);
            await Expect(patch, HttpStatusCode.Accepted);
            Assert.Equal($"0-{offset + length - 1}", patch.Headers.GetValues("Range").Single());
            location = patch.Headers.Location!;
        }

        using var put = await SendAsync(HttpMethod.Put, WithQuery(location, $"digest={digest}"));
        await Expect(put, HttpStatusCode.Created);
        return digest;
    }

    public async Task<string> PushManifestAsync(string repository, string reference, byte[] manifest, string mediaType)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var put = await SendAsync(HttpMethod.Put, $"/v2/{repository}/manifests/{reference}", content);
        await Expect(put, HttpStatusCode.Created);
        return put.Headers.GetValues("Docker-Content-Digest").Single();
    }

    /// <summary>Pushes an image's blobs and manifest; returns the manifest digest.</summary>
    public async Task<string> PushImageAsync(string repository, string tag, TestImage image)
    {
        foreach (var blob in image.Blobs)
        {
            await PushBlobAsync(repository, blob);
        }

        return await PushManifestAsync(repository, tag, image.Manifest, image.MediaType);
    }

    public async Task<List<string>> TagsAsync(string repository, string query = "")
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v2/{repository}/tags/list{query}");
        await Expect(response, HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("tags").ValueKind == JsonValueKind.Array
            ? json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList()
            : [];
    }

    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public static ByteArrayContent Octets(byte[] content)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    public static string WithQuery(Uri location, string query)
    {
        var text = location.ToString();
        return text + (text.Contains('?') ? "&" : "?") + query;
    }

    public static async Task Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new Xunit.Sdk.XunitException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The first OCI error code of a failed response.</summary>
    public static async Task<string> ErrorCode(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }
}
