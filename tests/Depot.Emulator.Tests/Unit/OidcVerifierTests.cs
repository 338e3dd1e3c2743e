using System.Text.Json.Nodes;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Oidc;
using Depot.Emulator.Domain.Time;
using Microsoft.IdentityModel.Tokens;

namespace Depot.Emulator.Tests.Unit;

/// <summary>The verifier alone: odd but parseable tokens end in an authentication error, never another exception.</summary>
public class OidcVerifierTests
{
    private static readonly OidcSigningKeys Keys = new(null);
    private readonly EmulatorClock _clock = new(TimeProvider.System);

    private OidcVerifier Verifier => new(Keys, OidcIssuers.None, _clock);

    private string Mint(OidcProvider provider, JsonObject? claims = null, string? audience = null) =>
        new OidcMinter(Keys, _clock).Mint(provider, "http://localhost:4500", audience, claims).Token;

    private static string Segment(string json) => Base64UrlEncoder.Encode(json);

    public static TheoryData<string, string> OddTokens() => new()
    {
        { Segment("{\"alg\":5}") + "." + Segment("{}") + ".c2ln", "well-formed" },
        { Segment("{\"alg\":\"RS256\",\"kid\":7}") + "." + Segment("{\"iss\":\"http://x/_emulator/oidc/github\"}") + ".c2ln", "OIDC token" },
        { Segment("{\"alg\":\"RS256\"}") + "." + Segment("[1,2]") + ".c2ln", "well-formed" },
        { Segment("{\"alg\":\"RS256\"}") + "." + Segment("{\"iss\":42}") + ".c2ln", "well-formed" },
        { Segment("{\"alg\":\"RS256\"}") + "." + Segment("{\"iss\":\"http://x/_emulator/oidc/github\",\"exp\":\"soon\"}") + ".c2ln", "OIDC token" },
        { Segment("{\"alg\":\"RS256\"}") + "." + Segment("{\"iss\":\"not a url\"}") + ".c2ln", "unknown" },
        { Segment("{\"alg\":\"RS256\"}") + "." + Segment("{\"iss\":\"http://x/_emulator/oidc/circleci\"}") + ".c2ln", "unknown" },
        { Segment("{\"alg\":\"RS256\"}") + "." + Segment("{\"iss\":\"http://x/_emulator/oidc/github\"}") + ".", "OIDC token" },
        { "eyJ..", "well-formed" },
        { "eyJhbGciOiJSUzI1NiJ9..", "well-formed" },
    };

    [Theory]
    [MemberData(nameof(OddTokens))]
    public async Task Odd_tokens_are_authentication_errors(string token, string expected)
    {
        var e = await Assert.ThrowsAsync<DepotException>(async () => await Verifier.VerifyAsync(token));
        Assert.Equal(DepotErrorKind.Unauthenticated, e.Kind);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Claims_of_odd_types_are_accepted_or_refused_cleanly()
    {
        var numericAudience = Mint(OidcProvider.GitHub, new JsonObject { ["aud"] = 12 });
        var e = await Assert.ThrowsAsync<DepotException>(async () => await Verifier.VerifyAsync(numericAudience));
        Assert.Equal(DepotErrorKind.Unauthenticated, e.Kind);

        var arrayAudience = Mint(OidcProvider.GitHub, new JsonObject { ["aud"] = new JsonArray("https://other", "https://depot.dev") });
        Assert.Equal("acme/web", (await Verifier.VerifyAsync(arrayAudience)).Claims.String("repository"));

        var numericRepository = Mint(OidcProvider.GitHub, new JsonObject { ["repository"] = 5 });
        Assert.Equal("5", (await Verifier.VerifyAsync(numericRepository)).Claims.String("repository"));
    }

    [Fact]
    public async Task Each_provider_satisfies_only_its_own_kind_of_policy()
    {
        var rules = new Domain.State.TrustPolicyRule[]
        {
            new Domain.State.GitHubTrust("acme", "web"),
            new Domain.State.CircleCiTrust(CircleCiDefaults.Organization, CircleCiDefaults.Project),
            new Domain.State.BuildkiteTrust("acme", "web"),
            new Domain.State.GitLabTrust("acme/web", null),
            new Domain.State.RwxTrust("mint:6a6f7e3c-1d2b-4c5a-9e8f-0a1b2c3d4e5f:default"),
        };
        foreach (var provider in OidcProvider.All)
        {
            var identity = await Verifier.VerifyAsync(Mint(provider, audience: provider == OidcProvider.CircleCi ? null : OidcProvider.DepotAudience));
            var satisfied = rules.Where(identity.Satisfies).Select(r => r.Provider).ToList();
            Assert.Equal([provider.Id], satisfied);
        }
    }

    private static class CircleCiDefaults
    {
        public const string Organization = "6a6f7e3c-1d2b-4c5a-9e8f-0a1b2c3d4e5f";
        public const string Project = "5b4c3d2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e";
    }
}
