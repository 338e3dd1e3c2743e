using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Depot.Cli.V1;
using Depot.Emulator.Domain.Oidc;
using Depot.Emulator.Domain.Time;
using Depot.Emulator.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Snapshooter.Xunit3;

namespace Depot.Emulator.Tests.Oidc;

/// <summary>
/// A hostile corpus of CI tokens presented as bearers: each is refused as <c>unauthenticated</c>, the message
/// naming the check that failed, and none causes a server error.
/// </summary>
public class OidcValidationTests
{
    private const string GetPullToken = "depot.cli.v1.BuildService/GetPullToken";

    private static async Task<ConnectResult<GetPullTokenResponse>> PullToken(InMemoryEmulator emulator, string bearer, string project = "proj-web") =>
        await emulator.Connect.CallAsync<GetPullTokenResponse>(GetPullToken, new GetPullTokenRequest { ProjectId = project }, bearer);

    private static Task<InMemoryEmulator> Start() => InMemoryEmulator.StartAsync("--seed", OidcTestSupport.SeedPath);

    private static long Unix(TimeSpan fromNow) => DateTimeOffset.UtcNow.Add(fromNow).ToUnixTimeSeconds();

    [Fact]
    public async Task Trusted_tokens_of_every_provider_reach_their_project()
    {
        await using var emulator = await Start();
        foreach (var provider in OidcTestSupport.Providers)
        {
            var result = await PullToken(emulator, await OidcTestSupport.MintAsync(emulator.Http, provider));
            Assert.StartsWith("depot_pull_", result.Ok.Token);
        }
    }

    [Fact]
    public async Task Hostile_corpus_is_refused_with_the_failed_check_named()
    {
        await using var emulator = await Start();
        var http = emulator.Http;
        var valid = await OidcTestSupport.MintAsync(http, "github");
        var corpus = new Dictionary<string, (string Token, string Expected)>
        {
            ["wrong owner"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject { ["repository"] = "evil/web" }),
                "OIDC token repository \"evil/web\" matches no trust relationship of project proj-web"),
            ["wrong repository"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject { ["repository"] = "acme/api" }),
                "OIDC token repository \"acme/api\" matches no trust relationship of project proj-web"),
            ["expired"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject
            {
                ["repository"] = "acme/web", ["iat"] = Unix(TimeSpan.FromHours(-2)), ["nbf"] = Unix(TimeSpan.FromHours(-2)),
                ["exp"] = Unix(TimeSpan.FromHours(-1)),
            }), "OIDC token expired at "),
            ["future nbf"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject
            {
                ["repository"] = "acme/web", ["nbf"] = Unix(TimeSpan.FromHours(1)),
            }), "OIDC token is not valid before "),
            ["wrong audience"] = (await OidcTestSupport.MintAsync(http, "github", null, "?audience=https://example.com"),
                "OIDC token audience \"https://example.com\" is not accepted: GitHub Actions tokens must be issued for https://depot.dev"),
            ["missing audience"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject { ["repository"] = "acme/web", ["aud"] = null }),
                "OIDC token audience (missing) is not accepted"),
            ["unknown issuer"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject
            {
                ["repository"] = "acme/web", ["iss"] = "https://token.actions.githubusercontent.com",
            }), "OIDC token issuer \"https://token.actions.githubusercontent.com\" is unknown"),
            ["unknown kid"] = (Sign(Payload(valid), new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rogue-kid" }, SecurityAlgorithms.RsaSha256),
                "OIDC token kid \"rogue-kid\" is not in the JWKS of issuer "),
            ["alg none"] = (Unsigned(valid), "OIDC token alg \"none\" is not allowed"),
            ["HS256 with the public key"] = (await HmacWithPublicKey(http, valid), "OIDC token alg \"HS256\" is not allowed"),
            ["tampered payload"] = (Tamper(valid), "OIDC token signature does not verify against the JWKS of issuer "),
            ["missing repository"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject { ["repository"] = null }),
                "OIDC token from GitHub Actions has no repository claim"),
            ["missing exp"] = (await OidcTestSupport.MintAsync(http, "github", new JsonObject { ["repository"] = "acme/web", ["exp"] = null }),
                "OIDC token has no exp claim"),
            ["missing iss"] = (Sign(Without(Payload(valid), "iss"), new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256),
                "OIDC token has no iss claim"),
            ["garbage JWT"] = ("eyJhbGciOiJSUzI1NiJ9.not-base64!.sig", "OIDC token is not a well-formed JWT"),
            ["garbage JSON"] = ("eyJub3QganNvbg.eyJub3QganNvbg.c2ln", "OIDC token is not a well-formed JWT"),
            ["garbage"] = ("this is not a token", "unknown or revoked token"),
        };

        var outcomes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, (token, expected)) in corpus)
        {
            var result = await PullToken(emulator, token);
            Assert.True(result.Status == 401 && result.Code == "unauthenticated", $"{name}: {result.Status} {result.Code} {result.Message}");
            Assert.True(result.Message!.Contains(expected, StringComparison.Ordinal), $"{name}: \"{result.Message}\" lacks \"{expected}\"");
            outcomes[name] = $"{result.Status} {result.Code}: {Timeless(result.Message)}";
        }

        Snapshot.Match(outcomes);
    }

    [Fact]
    public async Task Expiry_follows_the_emulator_clock()
    {
        await using var emulator = await Start();
        var token = await OidcTestSupport.MintAsync(emulator.Http, "gitlab");
        Assert.NotNull((await PullToken(emulator, token)).Response);

        emulator.Service<EmulatorClock>().Advance(TimeSpan.FromHours(1) + OidcVerifier.ClockSkew + TimeSpan.FromSeconds(1));

        var late = await PullToken(emulator, token);
        Assert.Equal("unauthenticated", late.Code);
        Assert.StartsWith("OIDC token expired at ", late.Message);
    }

    [Fact]
    public async Task Small_clock_skew_is_tolerated()
    {
        await using var emulator = await Start();
        var token = await OidcTestSupport.MintAsync(emulator.Http, "github", new JsonObject
        {
            ["repository"] = "acme/web", ["nbf"] = Unix(TimeSpan.FromSeconds(10)), ["exp"] = Unix(TimeSpan.FromHours(1)),
        });
        Assert.NotNull((await PullToken(emulator, token)).Response);
    }

    [Fact]
    public async Task Circleci_accepts_its_default_organization_audience_but_not_another()
    {
        await using var emulator = await Start();
        var defaultAudience = await OidcTestSupport.MintAsync(emulator.Http, "circleci");
        Assert.Equal(OidcTestSupport.CircleOrganization, Payload(defaultAudience)["aud"]!.GetValue<string>());
        Assert.NotNull((await PullToken(emulator, defaultAudience)).Response);

        var other = await OidcTestSupport.MintAsync(emulator.Http, "circleci", OidcTestSupport.TrustedClaims("circleci"),
            "?audience=00000000-0000-4000-8000-000000000000");
        var refused = await PullToken(emulator, other);
        Assert.Equal("unauthenticated", refused.Code);
        Assert.Contains("(or the CircleCI organization UUID)", refused.Message);
    }

    [Fact]
    public async Task Circleci_sub_must_name_the_issuers_organization()
    {
        await using var emulator = await Start();
        var forged = await OidcTestSupport.MintAsync(emulator.Http, "circleci", new JsonObject
        {
            ["sub"] = $"org/{OidcTestSupport.CircleOrganization}/project/{OidcTestSupport.CircleProject}/user/u",
            ["iss"] = "http://localhost/_emulator/oidc/circleci/org/00000000-0000-4000-8000-000000000000",
        });
        var refused = await PullToken(emulator, forged);
        Assert.Equal($"OIDC token sub names organization \"{OidcTestSupport.CircleOrganization}\" but the issuer is organization \"00000000-0000-4000-8000-000000000000\"'s",
            refused.Message);
    }

    [Fact]
    public async Task A_token_of_one_provider_never_satisfies_another_providers_policy()
    {
        await using var emulator = await Start();
        // proj-ops trusts only GitHub acme/ops; a GitLab token for the same path is no match.
        var gitlab = await OidcTestSupport.MintAsync(emulator.Http, "gitlab", new JsonObject { ["project_path"] = "acme/ops" });
        var refused = await PullToken(emulator, gitlab, "proj-ops");
        Assert.Equal("unauthenticated", refused.Code);
        Assert.Equal("OIDC token project_path \"acme/ops\" ref \"main\" matches no trust relationship of project proj-ops", refused.Message);
    }

    [Fact]
    public async Task Gitlab_policy_with_a_ref_requires_that_ref()
    {
        await using var emulator = await Start();
        var branch = await OidcTestSupport.MintAsync(emulator.Http, "gitlab", new JsonObject { ["project_path"] = "acme/web", ["ref"] = "feature" });
        var refused = await PullToken(emulator, branch);
        Assert.Equal("OIDC token project_path \"acme/web\" ref \"feature\" matches no trust relationship of project proj-web", refused.Message);
    }

    [Fact]
    public async Task Removing_the_trust_policy_revokes_the_token_at_once()
    {
        await using var emulator = await Start();
        var token = await OidcTestSupport.MintAsync(emulator.Http, "buildkite");
        Assert.NotNull((await PullToken(emulator, token)).Response);

        var removed = await emulator.Http.DeleteAsync("/_emulator/trust-policies/tp-web-buildkite");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, removed.StatusCode);

        var refused = await PullToken(emulator, token);
        Assert.Equal("OIDC token pipeline \"acme/web\" matches no trust relationship of project proj-web", refused.Message);
    }

    [Fact]
    public async Task Journal_keeps_no_jwt()
    {
        await using var emulator = await Start();
        var token = await OidcTestSupport.MintAsync(emulator.Http, "github");
        await PullToken(emulator, token);
        await emulator.Http.GetAsync("/_emulator/oidc/github/idtoken?audience=https://depot.dev");

        var journal = await emulator.Http.GetStringAsync("/_emulator/journal");
        Assert.DoesNotContain(token, journal);
        Assert.DoesNotContain(token.Split('.')[1], journal);
        Assert.Contains("\"tokenType\":\"trust-relationship\"", journal);
    }

    internal static JsonObject Payload(string jwt) =>
        JsonNode.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[1]))!.AsObject();

    private static JsonObject Without(JsonObject payload, string claim)
    {
        payload.Remove(claim);
        return payload;
    }

    private static string Sign(JsonObject payload, SecurityKey key, string algorithm) =>
        new JsonWebTokenHandler().CreateToken(payload.ToJsonString(), new SigningCredentials(key, algorithm));

    private static string Unsigned(string jwt) =>
        $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{jwt.Split('.')[1]}.";

    private static string Tamper(string jwt)
    {
        var parts = jwt.Split('.');
        var payload = Payload(jwt);
        payload["repository"] = "acme/web";
        payload["repository_owner"] = "acme";
        payload["run_id"] = "9999999";
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }

    /// <summary>The classic confusion attack: HMAC keyed with the issuer's public RSA key, under its kid.</summary>
    private static async Task<string> HmacWithPublicKey(HttpClient http, string valid)
    {
        var jwks = new JsonWebKeySet(await http.GetStringAsync("/_emulator/oidc/github/.well-known/jwks"));
        var rsa = RSA.Create();
        var jwk = jwks.Keys[0];
        rsa.ImportParameters(new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(jwk.N), Exponent = Base64UrlEncoder.DecodeBytes(jwk.E) });
        var pem = Encoding.UTF8.GetBytes(rsa.ExportSubjectPublicKeyInfoPem());
        return Sign(Payload(valid), new SymmetricSecurityKey(pem) { KeyId = jwk.Kid }, SecurityAlgorithms.HmacSha256);
    }

    /// <summary>Messages carry instants; snapshots keep their shape only.</summary>
    private static string Timeless(string? message) =>
        System.Text.RegularExpressions.Regex.Replace(message ?? "", @"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)", "<time>")
            .Replace("http://localhost", "<emulator>", StringComparison.Ordinal);
}
