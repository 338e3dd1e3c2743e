using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Depot.Cli.V1;
using Depot.Core.V1;
using Depot.Emulator.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Snapshooter.Xunit3;

namespace Depot.Emulator.Tests.Oidc;

/// <summary>The fake providers are real OIDC issuers, their keys survive restarts, and the CI-facing endpoints behave.</summary>
public class OidcIssuerTests
{
    private static Task<InMemoryEmulator> Start(params string[] extra) =>
        InMemoryEmulator.StartAsync(["--seed", OidcTestSupport.SeedPath, .. extra]);

    public static TheoryData<string> Providers => new(OidcTestSupport.Providers);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_standard_oidc_client_validates_the_tokens_through_discovery_and_jwks(string provider)
    {
        await using var emulator = await Start();
        var token = await OidcTestSupport.MintAsync(emulator.Http, provider);
        var issuer = OidcValidationTests.Payload(token)["iss"]!.GetValue<string>();

        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            issuer + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(emulator.Http) { RequireHttps = false });
        var configuration = await manager.GetConfigurationAsync(TestContext.Current.CancellationToken);

        Assert.Equal(issuer, configuration.Issuer);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAudiences = [provider == "circleci" ? OidcTestSupport.CircleOrganization : "https://depot.dev"],
            ValidAlgorithms = configuration.IdTokenSigningAlgValuesSupported,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("RS256", ((JsonWebToken)result.SecurityToken).Alg);
        Assert.False(string.IsNullOrEmpty(((JsonWebToken)result.SecurityToken).Kid));
    }

    [Fact]
    public async Task Discovery_documents_follow_the_public_url()
    {
        await using var emulator = await Start("--public-url", "http://depot-emulator:4500");
        var github = await emulator.Http.GetFromJsonAsync<JsonObject>("/_emulator/oidc/github/.well-known/openid-configuration");
        Assert.Equal("http://depot-emulator:4500/_emulator/oidc/github", github!["issuer"]!.GetValue<string>());
        Assert.Equal("http://depot-emulator:4500/_emulator/oidc/github/.well-known/jwks", github["jwks_uri"]!.GetValue<string>());

        var token = await OidcTestSupport.MintAsync(emulator.Http, "circleci");
        Assert.Equal($"http://depot-emulator:4500/_emulator/oidc/circleci/org/{OidcTestSupport.CircleOrganization}",
            OidcValidationTests.Payload(token)["iss"]!.GetValue<string>());

        var perOrganization = await emulator.Http.GetAsync("/_emulator/oidc/circleci/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.NotFound, perOrganization.StatusCode);
    }

    [Fact]
    public async Task Keys_kept_in_a_key_file_survive_a_restart()
    {
        var keyFile = Path.Combine(RealClients.TempHome(), "oidc-keys.json");
        string kid, token;
        await using (var first = await Start("--oidc-key-file", keyFile))
        {
            kid = await Kid(first);
            token = await OidcTestSupport.MintAsync(first.Http, "github");
        }

        Assert.True(File.Exists(keyFile));
        await using var second = await Start("--oidc-key-file", keyFile);
        Assert.Equal(kid, await Kid(second));
        var pull = await second.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-web" }, token);
        Assert.NotNull(pull.Response);

        await using var fresh = await Start();
        Assert.NotEqual(kid, await Kid(fresh));

        static async Task<string> Kid(InMemoryEmulator emulator) =>
            new JsonWebKeySet(await emulator.Http.GetStringAsync("/_emulator/oidc/github/.well-known/jwks")).Keys.Single().Kid;
    }

    [Fact]
    public async Task A_broken_key_file_stops_start_up_with_a_clear_message()
    {
        var keyFile = Path.Combine(RealClients.TempHome(), "oidc-keys.json");
        await File.WriteAllTextAsync(keyFile, "not json", TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<Domain.Errors.DepotException>(() => Start("--oidc-key-file", keyFile));
        Assert.Contains("--oidc-key-file", e.Message);
    }

    [Fact]
    public async Task Configured_issuers_are_trusted_with_their_jwks_file()
    {
        var dir = RealClients.TempHome();
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "real-github-key" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
        await File.WriteAllTextAsync(Path.Combine(dir, "github-jwks.json"),
            new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["kid"] = jwk.Kid, ["n"] = jwk.N, ["e"] = jwk.E }) }.ToJsonString(),
            TestContext.Current.CancellationToken);
        var config = Path.Combine(dir, "issuers.yaml");
        await File.WriteAllTextAsync(config,
            "- {provider: github, issuer: https://token.actions.githubusercontent.com, jwksFile: github-jwks.json}\n",
            TestContext.Current.CancellationToken);
        await using var emulator = await Start("--oidc-issuers", config);

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = new JsonWebTokenHandler().CreateToken(new JsonObject
        {
            ["iss"] = "https://token.actions.githubusercontent.com", ["aud"] = "https://depot.dev", ["sub"] = "repo:acme/web:ref:refs/heads/main",
            ["repository"] = "acme/web", ["repository_owner"] = "acme", ["iat"] = now, ["nbf"] = now, ["exp"] = now + 300,
        }.ToJsonString(), new SigningCredentials(key, SecurityAlgorithms.RsaSha256));

        var pull = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-web" }, token);
        Assert.NotNull(pull.Response);
    }

    [Fact]
    public async Task Configured_issuers_fetch_their_jwks_url()
    {
        // One emulator plays the real provider (its JWKS at a URL); the other trusts that issuer by configuration.
        await using var provider = await LoopbackEmulator.StartAsync("--seed", OidcTestSupport.SeedPath);
        var config = Path.Combine(RealClients.TempHome(), "issuers.yaml");
        await File.WriteAllTextAsync(config,
            $"- {{provider: github, issuer: https://token.actions.githubusercontent.com, jwksUrl: {provider.Url}/_emulator/oidc/github/.well-known/jwks}}\n",
            TestContext.Current.CancellationToken);
        await using var emulator = await Start("--oidc-issuers", config);

        var token = await OidcTestSupport.MintAsync(provider.Http, "github",
            new JsonObject { ["repository"] = "acme/web", ["iss"] = "https://token.actions.githubusercontent.com" });
        var pull = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-web" }, token);
        Assert.NotNull(pull.Response);

        var ownKey = await OidcTestSupport.MintAsync(emulator.Http, "github",
            new JsonObject { ["repository"] = "acme/web", ["iss"] = "https://token.actions.githubusercontent.com" });
        var refused = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-web" }, ownKey);
        Assert.Equal("unauthenticated", refused.Code);
        Assert.StartsWith("OIDC token kid ", refused.Message);
    }

    [Fact]
    public async Task Github_token_request_needs_the_runner_token_and_takes_the_audience()
    {
        await using var emulator = await Start();
        var anonymous = await emulator.Http.GetAsync("/_emulator/oidc/github/idtoken?audience=https://depot.dev");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/_emulator/oidc/github/idtoken?api-version=2.0&audience=https://depot.dev&repository=acme/api&ref=refs/tags/v1");
        request.Headers.TryAddWithoutValidation("Authorization", "bearer runner-request-token");
        var response = await emulator.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        var claims = OidcValidationTests.Payload(body!["value"]!.GetValue<string>());

        Assert.Equal("https://depot.dev", claims["aud"]!.GetValue<string>());
        Assert.Equal("repo:acme/api:ref:refs/tags/v1", claims["sub"]!.GetValue<string>());
        Assert.Equal("acme", claims["repository_owner"]!.GetValue<string>());
        Assert.Equal("tag", claims["ref_type"]!.GetValue<string>());
        Assert.Equal("acme/api/.github/workflows/ci.yml@refs/tags/v1", claims["job_workflow_ref"]!.GetValue<string>());
        Snapshot.Match(Shape(claims));
    }

    [Fact]
    public async Task Buildkite_agent_api_needs_the_agent_token_and_names_the_job()
    {
        await using var emulator = await Start();
        const string path = "/_emulator/oidc/buildkite/agent/acme/web/jobs/job-42/oidc/tokens";
        var anonymous = await emulator.Http.PostAsJsonAsync(path, new { audience = "https://depot.dev" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { audience = "https://depot.dev" }) };
        request.Headers.TryAddWithoutValidation("Authorization", "Token agent-access-token");
        var response = await emulator.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        var claims = OidcValidationTests.Payload(body!["token"]!.GetValue<string>());

        Assert.Equal("job-42", claims["job_id"]!.GetValue<string>());
        Assert.Equal("acme", claims["organization_slug"]!.GetValue<string>());
        Assert.Equal("web", claims["pipeline_slug"]!.GetValue<string>());
        Assert.StartsWith("organization:acme:pipeline:web:ref:refs/heads/main:commit:", claims["sub"]!.GetValue<string>());

        using var odd = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { audience = 5, lifetime = "long" }) };
        odd.Headers.TryAddWithoutValidation("Authorization", "Token agent-access-token");
        Assert.Equal(HttpStatusCode.OK, (await emulator.Http.SendAsync(odd, TestContext.Current.CancellationToken)).StatusCode);
        using var notJson = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("[", System.Text.Encoding.UTF8, "application/json") };
        notJson.Headers.TryAddWithoutValidation("Authorization", "Token agent-access-token");
        Assert.Equal(HttpStatusCode.BadRequest, (await emulator.Http.SendAsync(notJson, TestContext.Current.CancellationToken)).StatusCode);
        Snapshot.Match(Shape(claims));
    }

    [Fact]
    public async Task Setup_action_exchange_turns_a_github_token_into_a_project_scoped_depot_token()
    {
        await using var emulator = await Start();
        var jwt = await OidcTestSupport.MintAsync(emulator.Http, "github");
        var exchanged = await emulator.Http.PostAsJsonAsync("/auth/oidc/github-actions", new { token = jwt }, TestContext.Current.CancellationToken);
        var body = await exchanged.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var token = body["token"]!.GetValue<string>();
        Assert.StartsWith("depot_oidc_", token);

        var own = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-web" }, token);
        Assert.NotNull(own.Response);
        var other = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-api" }, token);
        Assert.Equal("OIDC token repository \"acme/web\" matches no trust relationship of project proj-api", other.Message);
        var api = await emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects", new ListProjectsRequest(), token);
        Assert.Equal("permission_denied", api.Code);

        var untrusted = await OidcTestSupport.MintAsync(emulator.Http, "github", new JsonObject { ["repository"] = "acme/nothing" });
        var refused = await emulator.Http.PostAsJsonAsync("/auth/oidc/github-actions", new { token = untrusted }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var circle = await OidcTestSupport.MintAsync(emulator.Http, "circleci");
        var wrongProvider = await emulator.Http.PostAsJsonAsync("/auth/oidc/github-actions", new { token = circle }, TestContext.Current.CancellationToken);
        var missing = await emulator.Http.PostAsync("/auth/oidc/github-actions", new StringContent("{"), TestContext.Current.CancellationToken);

        Snapshot.Match(new
        {
            untrusted = new { status = (int)refused.StatusCode, body = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) },
            wrongProvider = new { status = (int)wrongProvider.StatusCode, body = await wrongProvider.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) },
            badBody = new { status = (int)missing.StatusCode, body = await missing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) },
        });
    }

    [Fact]
    public async Task Circleci_trust_policies_take_uuids_not_names()
    {
        await using var emulator = await Start();
        var added = await emulator.Connect.CallAsync<AddTrustPolicyResponse>("depot.core.v1.ProjectService/AddTrustPolicy",
            new AddTrustPolicyRequest { ProjectId = "proj-api", Circleci = new TrustPolicy.Types.CircleCI { OrganizationUuid = "acme", ProjectUuid = "web" } },
            "test-user-ada");
        Assert.Equal("invalid_argument", added.Code);
        Assert.Contains("UUID", added.Message);
    }

    [Fact]
    public async Task Control_plane_adds_gitlab_and_rwx_policies_the_public_api_cannot_express()
    {
        await using var emulator = await Start();
        var token = await OidcTestSupport.MintAsync(emulator.Http, "rwx", new JsonObject { ["sub"] = "mint:org:api-vault" });
        var before = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-api" }, token);
        Assert.Equal("OIDC token subject \"mint:org:api-vault\" matches no trust relationship of project proj-api", before.Message);

        var added = await emulator.Http.PostAsJsonAsync("/_emulator/trust-policies",
            new { project = "proj-api", rwx = new { vaultSubject = "mint:org:api-vault" } }, TestContext.Current.CancellationToken);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var after = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-api" }, token);
        Assert.NotNull(after.Response);

        var invalid = await emulator.Http.PostAsJsonAsync("/_emulator/trust-policies",
            new { project = "proj-api", gitlab = new { projectPath = "" } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var listed = await emulator.Http.GetFromJsonAsync<JsonObject>("/_emulator/trust-policies?project=proj-web", TestContext.Current.CancellationToken);
        Assert.Equal(5, listed!["trustPolicies"]!.AsArray().Count);
    }

    /// <summary>Claim names and value kinds, without the per-token values (times, jti).</summary>
    private static SortedDictionary<string, string> Shape(JsonObject claims) => new(claims.ToDictionary(
        c => c.Key,
        c => c.Key is "iat" or "nbf" or "exp" or "jti" or "iss" ? $"<{c.Value?.GetValueKind().ToString().ToLowerInvariant()}>" : c.Value?.ToJsonString() ?? "null"),
        StringComparer.Ordinal);
}
