using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

/// <summary>Every token type × registry operation, on its own project, another project and the organization form, in process.</summary>
public class RegistryMatrixTests : IAsyncLifetime
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();
    private static readonly TestImage Image = TestImage.Create(1);
    private InMemoryEmulator _emulator = null!;

    public async ValueTask InitializeAsync()
    {
        _emulator = await InMemoryEmulator.StartAsync();
        var org = Client(TokenType.Organization);
        foreach (var repository in new[] { "proj-web", "proj-api", "org-acme/team/app" })
        {
            await org.PushImageAsync(repository, "v1", Image);
            await org.PushManifestAsync(repository, "doomed", Image.Manifest, Image.MediaType);
        }
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    public static TheoryData<string, TokenType> Cells()
    {
        var data = new TheoryData<string, TokenType>();
        foreach (var operation in new[] { "registry.pull", "registry.push", "registry.delete" })
        {
            foreach (var type in TokenTypes.All)
            {
                data.Add(operation, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_token_type_gets_the_matrix_answer_on_its_own_project(string operation, TokenType type)
    {
        var decision = Matrix.Decide(type, Matrix.Operation(operation));
        using var response = await Perform(Client(type), operation, "proj-web");
        if (decision.IsAllowed)
        {
            Assert.True(response.IsSuccessStatusCode, $"{type.Name()} {operation}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            await AssertDenied(response, decision.Reason!);
        }
    }

    [Theory]
    [InlineData(TokenType.User, true)]
    [InlineData(TokenType.Organization, true)]
    [InlineData(TokenType.Project, false)]
    [InlineData(TokenType.Pull, false)]
    [InlineData(TokenType.Build, false)]
    [InlineData(TokenType.TrustRelationship, false)]
    public async Task Another_project_of_the_organization_is_reached_by_user_and_organization_tokens_only(TokenType type, bool reached)
    {
        using var response = await Perform(Client(type), "registry.pull", "proj-api");
        if (reached)
        {
            await OciClient.Expect(response, HttpStatusCode.OK);
        }
        else
        {
            await AssertDenied(response, "does not reach project proj-api");
        }
    }

    [Theory]
    [InlineData(TokenType.User, true)]
    [InlineData(TokenType.Organization, true)]
    [InlineData(TokenType.Project, false)]
    [InlineData(TokenType.Pull, false)]
    [InlineData(TokenType.Build, false)]
    [InlineData(TokenType.TrustRelationship, false)]
    public async Task Organization_form_repositories_belong_to_the_whole_organization(TokenType type, bool reached)
    {
        foreach (var operation in new[] { "registry.pull", "registry.push" })
        {
            using var response = await Perform(Client(type), operation, "org-acme/team/app");
            if (reached)
            {
                Assert.True(response.IsSuccessStatusCode, $"{type.Name()} {operation}: {await response.Content.ReadAsStringAsync()}");
            }
            else
            {
                var decision = Matrix.Decide(type, Matrix.Operation(operation));
                await AssertDenied(response, decision.Reason ?? "does not reach the repositories of organization org-acme");
            }
        }
    }

    [Fact]
    public async Task Another_organization_is_denied_and_an_unknown_project_is_name_unknown_without_saying_more()
    {
        var org = Client(TokenType.Organization);
        using (var other = await org.SendAsync(HttpMethod.Get, "/v2/proj-ops/tags/list"))
        {
            // Another organization's project answers as one that does not exist.
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.Equal("NAME_UNKNOWN", await OciClient.ErrorCode(other));
        }

        using (var otherOrg = await org.SendAsync(HttpMethod.Get, "/v2/org-globex/app/tags/list"))
        {
            await AssertDenied(otherOrg, "does not reach the repositories of organization org-globex");
        }

        using (var unknown = await org.SendAsync(HttpMethod.Get, "/v2/proj-nope/tags/list"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("NAME_UNKNOWN", await OciClient.ErrorCode(unknown));
        }

        using var scoped = await Client(TokenType.Project).SendAsync(HttpMethod.Get, "/v2/proj-nope/tags/list");
        await AssertDenied(scoped, "does not reach project proj-nope");
    }

    [Fact]
    public async Task Anonymous_requests_are_challenged_to_get_a_token()
    {
        using var response = await new OciClient(_emulator.Http).SendAsync(HttpMethod.Post, "/v2/proj-web/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", await OciClient.ErrorCode(response));
        Assert.Equal("Bearer realm=\"http://localhost/v2/token\",service=\"localhost\",scope=\"repository:proj-web:pull,push\"",
            response.Headers.WwwAuthenticate.ToString());

        foreach (var header in new[] { "Basic " + Convert.ToBase64String("x-token:nope"u8.ToArray()), "Bearer nope",
                     "Basic " + Convert.ToBase64String("admin:test-org-acme"u8.ToArray()), "Basic !!!", "Digest x" })
        {
            using var bad = await new OciClient(_emulator.Http).SendAsync(HttpMethod.Get, "/v2/",
                configure: r => r.Headers.TryAddWithoutValidation("Authorization", header));
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
            Assert.Equal("UNAUTHORIZED", await OciClient.ErrorCode(bad));
        }
    }

    [Fact]
    public async Task A_raw_depot_token_works_as_a_bearer()
    {
        using var response = await _emulator.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v2/proj-web/manifests/v1")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", TestSeeds.Secret(TokenType.Pull)) },
        });
        await OciClient.Expect(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_token_endpoint_grants_what_was_asked_and_the_token_allows()
    {
        var pull = await Token(TokenType.Pull, "repository:proj-web:pull,push", "repository:proj-api:pull");
        Assert.True(pull.GetProperty("expires_in").GetInt32() >= 60);
        var bearer = pull.GetProperty("token").GetString()!;
        Assert.StartsWith("depot_registry_", bearer);

        using (var get = await WithBearer(HttpMethod.Get, "/v2/proj-web/manifests/v1", bearer))
        {
            await OciClient.Expect(get, HttpStatusCode.OK);
        }

        using (var push = await WithBearer(HttpMethod.Post, "/v2/proj-web/blobs/uploads/", bearer))
        {
            await AssertDenied(push, "pull tokens grant read-only Registry access");
        }

        using (var otherProject = await WithBearer(HttpMethod.Get, "/v2/proj-api/manifests/v1", bearer))
        {
            await AssertDenied(otherProject, "does not reach project proj-api");
        }

        // A token that may push but asked only to pull is sent back for a wider one.
        var narrow = (await Token(TokenType.Project, "repository:proj-web:pull")).GetProperty("token").GetString()!;
        using var insufficient = await WithBearer(HttpMethod.Post, "/v2/proj-web/blobs/uploads/", narrow);
        Assert.Equal(HttpStatusCode.Unauthorized, insufficient.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", insufficient.Headers.WwwAuthenticate.ToString());
        Assert.Contains("scope=\"repository:proj-web:pull,push\"", insufficient.Headers.WwwAuthenticate.ToString());

        var wide = (await Token(TokenType.Project, "repository:proj-web:pull,push,delete")).GetProperty("token").GetString()!;
        using var started = await WithBearer(HttpMethod.Post, "/v2/proj-web/blobs/uploads/", wide);
        await OciClient.Expect(started, HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task The_token_endpoint_takes_the_oauth2_password_grant()
    {
        using var granted = await _emulator.Http.PostAsync("/v2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "x-token", ["password"] = TestSeeds.Secret(TokenType.Pull),
            ["service"] = "localhost", ["scope"] = "repository:proj-web:pull,push", ["client_id"] = "containerd-client",
        }));
        await OciClient.Expect(granted, HttpStatusCode.OK);
        var bearer = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        using (var get = await WithBearer(HttpMethod.Get, "/v2/proj-web/manifests/v1", bearer))
        {
            await OciClient.Expect(get, HttpStatusCode.OK);
        }

        using var wrongUser = await _emulator.Http.PostAsync("/v2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "admin", ["password"] = TestSeeds.Secret(TokenType.Pull),
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongUser.StatusCode);
        using var refresh = await _emulator.Http.PostAsync("/v2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = "x",
        }));
        Assert.Equal("UNSUPPORTED", await OciClient.ErrorCode(refresh));
    }

    [Fact]
    public async Task The_token_endpoint_refuses_anonymous_and_unknown_callers()
    {
        using var anonymous = await _emulator.Http.GetAsync("/v2/token?service=localhost&scope=repository:proj-web:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic realm=", anonymous.Headers.WwwAuthenticate.ToString());

        using var unknown = await new OciClient(_emulator.Http, "nope").SendAsync(HttpMethod.Get, "/v2/token?scope=repository:proj-web:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task An_expired_pull_token_is_unauthorized_and_so_is_its_registry_bearer()
    {
        var bearer = (await Token(TokenType.Pull, "repository:proj-web:pull")).GetProperty("token").GetString()!;
        var minted = await _emulator.Http.PostAsJsonAsync("/_emulator/tokens", new { type = "pull", project = "proj-web", ttlSeconds = 120 });
        var shortLived = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        await _emulator.Http.PostAsJsonAsync("/_emulator/clock/advance", new { seconds = 3601 });

        using var direct = await new OciClient(_emulator.Http, shortLived).SendAsync(HttpMethod.Get, "/v2/proj-web/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
        using var viaBearer = await WithBearer(HttpMethod.Get, "/v2/proj-web/manifests/v1", bearer);
        Assert.Equal(HttpStatusCode.Unauthorized, viaBearer.StatusCode);
    }

    [Fact]
    public async Task A_host_based_organization_name_reaches_the_organization_form()
    {
        var org = Client(TokenType.Organization);
        using var response = await org.SendAsync(HttpMethod.Get, "/v2/team/app/manifests/v1", configure: r => r.Headers.Host = "org-acme.localhost");
        await OciClient.Expect(response, HttpStatusCode.OK);
        Assert.Equal(Image.Digest, response.Headers.GetValues("Docker-Content-Digest").Single());

        using var project = await Client(TokenType.Project).SendAsync(HttpMethod.Get, "/v2/team/app/manifests/v1", configure: r => r.Headers.Host = "org-acme.localhost");
        await AssertDenied(project, "does not reach the repositories of organization org-acme");
    }

    [Fact]
    public async Task A_ci_jobs_oidc_token_pushes_and_pulls_its_trusted_project_only()
    {
        await using var emulator = await InMemoryEmulator.StartAsync("--seed", Oidc.OidcTestSupport.SeedPath);
        var jwt = await Oidc.OidcTestSupport.MintAsync(emulator.Http, "github");
        var ci = new OciClient(emulator.Http, jwt);
        var digest = await ci.PushImageAsync("proj-web", "ci", TestImage.Create(3));
        using var pulled = await ci.SendAsync(HttpMethod.Get, "/v2/proj-web/manifests/ci");
        Assert.Equal(digest, pulled.Headers.GetValues("Docker-Content-Digest").Single());
        using var other = await ci.SendAsync(HttpMethod.Get, "/v2/proj-api/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Contains("matches no trust relationship of project proj-api", await other.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Registry_secrets_never_reach_the_journal()
    {
        await Token(TokenType.Pull, "repository:proj-web:pull");
        var journal = await _emulator.Http.GetStringAsync("/_emulator/journal?limit=1000");
        Assert.Contains("registry.push", journal);
        Assert.Contains("registry.token", journal);
        Assert.DoesNotContain("test-org-acme", journal);
        Assert.DoesNotContain("test-pull-web", journal);
        Assert.DoesNotContain("depot_registry_", journal);
        Assert.DoesNotContain(Convert.ToBase64String("x-token:test-org-acme"u8.ToArray()), journal);
    }

    private OciClient Client(TokenType type) => new(_emulator.Http, TestSeeds.Secret(type));

    /// <summary>One request standing for the operation; the delete removes a tag no other test reads.</summary>
    private static Task<HttpResponseMessage> Perform(OciClient client, string operation, string repository) => operation switch
    {
        "registry.pull" => client.SendAsync(HttpMethod.Get, $"/v2/{repository}/manifests/v1"),
        "registry.push" => client.SendAsync(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/"),
        _ => client.SendAsync(HttpMethod.Delete, $"/v2/{repository}/manifests/doomed"),
    };

    private async Task<JsonElement> Token(TokenType type, params string[] scopes)
    {
        var query = string.Join('&', scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
        using var response = await Client(type).SendAsync(HttpMethod.Get, $"/v2/token?service=localhost&{query}");
        await OciClient.Expect(response, HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> WithBearer(HttpMethod method, string path, string bearer) =>
        _emulator.Http.SendAsync(new HttpRequestMessage(method, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", bearer) } });

    private static async Task AssertDenied(HttpResponseMessage response, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode} {body}");
        Assert.Equal("DENIED", await OciClient.ErrorCode(response));
        Assert.Contains(reason, body);
    }
}
