using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Cache;

/// <summary>Bazel's, Gradle's, sccache's and Turborepo's HTTP cache protocols as their tools send them, under the Cache row.</summary>
public class CacheProtocolTests : IAsyncLifetime
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("compiled output");
    private static readonly string ContentSha = Convert.ToHexStringLower(SHA256.HashData(Content));
    private static readonly string ActionKey = new('a', 64);
    private InMemoryEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, Action<HttpRequestHeaders> headers, byte[]? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        headers(request.Headers);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        return _emulator.Http.SendAsync(request);
    }

    private static Action<HttpRequestHeaders> Raw(string token) => h => h.TryAddWithoutValidation("Authorization", token);

    private static Action<HttpRequestHeaders> Basic(string user, string password) =>
        h => h.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static Action<HttpRequestHeaders> Bearer(string token, string? org = null) => h =>
    {
        h.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (org is not null)
        {
            h.Add("x-depot-org", org);
        }
    };

    [Fact]
    public async Task Bazel_misses_then_hits_the_action_cache_and_the_cas_with_the_bare_token_header()
    {
        var token = Raw(TestSeeds.Secret(TokenType.Organization));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/ac/{ActionKey}", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, $"/ac/{ActionKey}", token, Content)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, $"/cas/{ContentSha}", token, Content)).StatusCode);

        var hit = await Send(HttpMethod.Get, $"/ac/{ActionKey}", token);
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal(Content, await hit.Content.ReadAsByteArrayAsync());
        var head = await Send(HttpMethod.Head, $"/cas/{ContentSha}", token);
        Assert.Equal(Content.Length, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Bazel_cas_content_that_does_not_match_its_key_is_refused_and_not_stored()
    {
        var token = Raw(TestSeeds.Secret(TokenType.Organization));
        var refused = await Send(HttpMethod.Put, $"/cas/{new string('0', 64)}", token, Content);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("digest", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/cas/{new string('0', 64)}", token)).StatusCode);
    }

    [Theory]
    [InlineData(TokenType.Project)]
    [InlineData(TokenType.Pull)]
    [InlineData(TokenType.Build)]
    [InlineData(TokenType.TrustRelationship)]
    public async Task Tokens_outside_the_cache_row_are_refused_with_a_reason(TokenType type)
    {
        var refused = await Send(HttpMethod.Put, $"/ac/{ActionKey}", Raw(TestSeeds.Secret(type)), Content);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("cannot use the Cache service", await refused.Content.ReadAsStringAsync());
        Assert.Equal(0, (await CacheListing()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task No_token_is_unauthenticated_with_a_challenge()
    {
        var refused = await Send(HttpMethod.Get, $"/ac/{ActionKey}", _ => { });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Basic", refused.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_user_in_two_organizations_names_one_or_is_told_how()
    {
        var user = TestSeeds.Secret(TokenType.User);
        var refused = await Send(HttpMethod.Get, $"/ac/{ActionKey}", Bearer(user));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("x-depot-org", await refused.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, $"/ac/{ActionKey}", Bearer(user, "org-globex"), Content)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"/ac/{ActionKey}", Basic("org-globex", user))).StatusCode);
        // Each organization has its own cache.
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/ac/{ActionKey}", Bearer(user, "org-acme"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Get, $"/ac/{ActionKey}", Bearer(user, "org-unknown"))).StatusCode);
    }

    [Fact]
    public async Task Gradle_stores_and_loads_with_basic_credentials()
    {
        var key = new string('b', 32);
        var gradle = Basic("", TestSeeds.Secret(TokenType.Organization));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/{key}", gradle)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, $"/{key}", gradle, Content)).StatusCode);
        Assert.Equal(Content, await (await Send(HttpMethod.Get, $"/{key}", gradle)).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Sccache_webdav_checks_makes_directories_writes_and_reads()
    {
        var dav = Bearer(TestSeeds.Secret(TokenType.Organization));
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, "/.sccache_check", dav, "Hello, World!"u8.ToArray())).StatusCode);
        Assert.Equal("Hello, World!", await (await Send(HttpMethod.Get, "/.sccache_check", dav)).Content.ReadAsStringAsync());
        foreach (var dir in new[] { "/a/", "/a/b/", "/a/b/c/" })
        {
            Assert.Equal(HttpStatusCode.Created, (await Send(new HttpMethod("MKCOL"), dir, dav)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Send(new HttpMethod("PROPFIND"), "/a/b/c/abc123", dav)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, "/a/b/c/abc123", dav, Content)).StatusCode);
        var found = await Send(new HttpMethod("PROPFIND"), "/a/b/c/abc123", dav);
        Assert.Equal(HttpStatusCode.MultiStatus, found.StatusCode);
        Assert.Contains($"<D:getcontentlength>{Content.Length}</D:getcontentlength>", await found.Content.ReadAsStringAsync());
        Assert.Equal(Content, await (await Send(HttpMethod.Get, "/a/b/c/abc123", dav)).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Turborepo_refusals_are_json_errors()
    {
        var refused = await Send(HttpMethod.Get, "/v8/artifacts/abc?slug=org-acme", Bearer(TestSeeds.Secret(TokenType.Project)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("forbidden", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Entries_age_out_after_fourteen_days_unused_and_reset_empties_the_cache()
    {
        var token = Raw(TestSeeds.Secret(TokenType.Organization));
        await Send(HttpMethod.Put, $"/ac/{ActionKey}", token, Content);
        await Send(HttpMethod.Put, $"/cas/{ContentSha}", token, Content);
        await Advance(TimeSpan.FromDays(10));
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"/ac/{ActionKey}", token)).StatusCode);
        await Advance(TimeSpan.FromDays(5));
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"/ac/{ActionKey}", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/cas/{ContentSha}", token)).StatusCode);
        Assert.Equal(2, (await CacheListing()).GetProperty("hits").GetInt32());

        (await _emulator.Http.PostAsync("/_emulator/reset", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"/ac/{ActionKey}", token)).StatusCode);
    }

    private async Task Advance(TimeSpan by) =>
        (await _emulator.Http.PostAsync("/_emulator/clock/advance",
            new StringContent(JsonSerializer.Serialize(new { seconds = by.TotalSeconds }), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

    private async Task<JsonElement> CacheListing() =>
        JsonDocument.Parse(await _emulator.Http.GetStringAsync("/_emulator/cache")).RootElement;
}
