using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Hostile;

/// <summary>Limits only a real Kestrel enforces, and the control plane's optional token.</summary>
public class GuardedSurfaceTests
{
    [Fact]
    public async Task A_unary_body_over_Kestrels_limit_is_resource_exhausted_with_a_body_not_an_empty_success()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/depot.core.v1.ProjectService/ListProjects")
        {
            Content = new ByteArrayContent(new byte[40 << 20]),
            // h2c with prior knowledge, as the CLI and the Node SDK speak: the answer comes while the body is still on its way.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/proto");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + HostileCorpus.OrgSecret);
        using var response = await emulator.Http.SendAsync(request);

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal("resource_exhausted", HostileCase.CodeOf("application/json", await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task A_streamed_message_over_the_limit_ends_the_stream_with_resource_exhausted()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/depot.buildkit.v1.BuildKitService/GetEndpoint")
        {
            Content = new ByteArrayContent([.. HostileCase.Envelope(0, [], 9 << 20), .. new byte[64 << 10]]),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/connect+proto");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer test-build-web");
        using var response = await emulator.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("resource_exhausted", HostileCase.CodeOf("application/connect+proto", await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(HttpStatusCode.OK, (await emulator.Http.GetAsync("/_emulator/health")).StatusCode);
    }

    [Fact]
    public async Task With_a_control_token_the_control_plane_answers_only_those_who_present_it()
    {
        await using var emulator = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--control-token", "shared-control-secret");
        var mint = new { type = "organization", organization = "org-acme" };

        using var refused = await emulator.Http.PostAsJsonAsync("/_emulator/tokens", mint);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("unauthenticated", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/_emulator/tokens") { Content = JsonContent.Create(mint) };
        wrong.Headers.Add("X-Emulator-Token", "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await emulator.Http.SendAsync(wrong)).StatusCode);

        using var presented = new HttpRequestMessage(HttpMethod.Post, "/_emulator/tokens") { Content = JsonContent.Create(mint) };
        presented.Headers.Add("X-Emulator-Token", "shared-control-secret");
        Assert.Equal(HttpStatusCode.OK, (await emulator.Http.SendAsync(presented)).StatusCode);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/_emulator/journal");
        bearer.Headers.Add("Authorization", "Bearer shared-control-secret");
        var journal = await (await emulator.Http.SendAsync(bearer)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("shared-control-secret", journal);

        Assert.Equal(HttpStatusCode.OK, (await emulator.Http.GetAsync("/_emulator/health")).StatusCode);
    }

    [Fact]
    public async Task The_emulators_own_origin_and_a_form_from_its_login_page_pass_the_guard()
    {
        await using var emulator = await InMemoryEmulator.StartAsync();
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/_emulator/clock/advance")
        {
            Content = new StringContent("{\"seconds\":1}", Encoding.UTF8, "application/json"),
        };
        sameOrigin.Headers.Add("Origin", "http://localhost");
        Assert.Equal(HttpStatusCode.OK, (await emulator.Http.SendAsync(sameOrigin)).StatusCode);

        using var foreignForm = new HttpRequestMessage(HttpMethod.Post, "/_emulator/login/nope/approve")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "user-ada" }),
        };
        foreignForm.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await emulator.Http.SendAsync(foreignForm)).StatusCode);
    }
}
