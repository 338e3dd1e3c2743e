using System.Text.Json;
using System.Text.Json.Nodes;
using Depot.Emulator.ControlPlane;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Oidc;
using Depot.Emulator.Domain.State;
using Microsoft.Extensions.Primitives;

namespace Depot.Emulator.Oidc;

/// <summary>
/// The fake CI identity providers, each a real OIDC issuer under <c>/_emulator/oidc/{provider}</c> (discovery and
/// JWKS), the endpoints the Depot CLI fetches CI tokens from, the control plane's token minting, and the token
/// exchange depot/setup-action uses. None of them reads a Depot token.
/// </summary>
public static class OidcEndpoints
{
    public static void MapOidc(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/_emulator/oidc").AddEndpointFilter(ControlPlaneErrors.Filter);

        group.MapGet("/{provider}/.well-known/openid-configuration", (string provider, HttpContext http, PublicUrls urls) =>
            Discovery(SingleIssuerProvider(provider), urls.Base(http), null));
        group.MapGet("/circleci/org/{org}/.well-known/openid-configuration", (string org, HttpContext http, PublicUrls urls) =>
            Discovery(OidcProvider.CircleCi, urls.Base(http), Organization(org)));
        group.MapGet("/{provider}/.well-known/jwks", (string provider, OidcSigningKeys keys) => Jwks(keys, SingleIssuerProvider(provider)));
        group.MapGet("/circleci/org/{org}/.well-known/jwks", (string org, OidcSigningKeys keys) =>
        {
            Organization(org);
            return Jwks(keys, OidcProvider.CircleCi);
        });

        // GitHub Actions: ACTIONS_ID_TOKEN_REQUEST_URL. Query parameters besides audience and api-version set claims.
        group.MapGet("/github/idtoken", (HttpContext http, PublicUrls urls, OidcMinter minter) =>
        {
            if (RunnerToken(http, "bearer") is null)
            {
                return Refused("send Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>");
            }

            var claims = new JsonObject();
            foreach (var (name, value) in http.Request.Query)
            {
                if (name is not ("audience" or "api-version"))
                {
                    claims[name] = value.ToString();
                }
            }

            var repository = new OidcClaims(claims).String("repository") ?? "acme/web";
            var audience = Query(http.Request.Query["audience"]) ?? $"https://github.com/{repository.Split('/')[0]}";
            return Results.Json(new { value = minter.Mint(OidcProvider.GitHub, urls.Base(http), audience, claims).Token });
        });

        // Buildkite's agent API: BUILDKITE_AGENT_ENDPOINT = <emulator>/_emulator/oidc/buildkite/agent/<org-slug>/<pipeline-slug>.
        group.MapPost("/buildkite/agent/{organization}/{pipeline}/jobs/{job}/oidc/tokens",
            async (string organization, string pipeline, string job, HttpContext http, PublicUrls urls, OidcMinter minter) =>
            {
                if (RunnerToken(http, "Token") is null)
                {
                    return Refused("send Authorization: Token <BUILDKITE_AGENT_ACCESS_TOKEN>");
                }

                var body = await ReadObject(http) ?? [];
                var claims = new JsonObject { ["organization_slug"] = organization, ["pipeline_slug"] = pipeline, ["job_id"] = job };
                var audience = new OidcClaims(body).String("audience") ?? $"https://buildkite.com/{organization}";
                TimeSpan? lifetime = body["lifetime"] is JsonValue l && l.TryGetValue<int>(out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
                return Results.Json(new { token = minter.Mint(OidcProvider.Buildkite, urls.Base(http), audience, claims, lifetime).Token });
            });

        // Control plane: any provider's token, any claim overridden (a null removes it), for tests and CI env.
        group.MapPost("/{provider}/token", async (string provider, HttpContext http, PublicUrls urls, OidcMinter minter) =>
        {
            var found = Provider(provider);
            var claims = await ReadObject(http);
            var ttl = Query(http.Request.Query["ttlSeconds"]);
            TimeSpan? lifetime = ttl is null ? null
                : int.TryParse(ttl, out var s) && s > 0 ? TimeSpan.FromSeconds(s)
                : throw DepotErrors.Invalid($"ttlSeconds must be a positive whole number: got \"{ttl}\"");
            var minted = minter.Mint(found, urls.Base(http), Query(http.Request.Query["audience"]), claims, lifetime);
            return Results.Json(new { token = minted.Token, claims = minted.Claims });
        });

        MapTrustPolicies(endpoints.MapGroup("/_emulator/trust-policies").AddEndpointFilter(ControlPlaneErrors.Filter));

        // depot/setup-action's exchange of a GitHub Actions token for a Depot token.
        endpoints.MapPost("/auth/oidc/github-actions", async (HttpContext http, OidcExchange exchange) =>
        {
            JsonObject? body;
            try
            {
                body = await ReadObject(http);
            }
            catch (DepotException e)
            {
                return Results.Json(new { ok = false, error = e.Message }, statusCode: 400);
            }

            if (body?["token"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String || t.GetValue<string>().Length == 0)
            {
                return Results.Json(new { ok = false, error = "send {\"token\": \"<GitHub Actions OIDC token>\"}" }, statusCode: 400);
            }

            try
            {
                return Results.Json(new { ok = true, token = await exchange.ExchangeAsync(t.GetValue<string>(), OidcProvider.GitHub, http.RequestAborted) });
            }
            catch (DepotException e)
            {
                return Results.Json(new { ok = false, error = e.Message }, statusCode: 401);
            }
        });
    }

    /// <summary>GitLab and RWX trust policies, which Depot's public API cannot express, and a view of every policy.</summary>
    private static void MapTrustPolicies(RouteGroupBuilder group)
    {
        group.MapGet("/", (DepotState state, string? project) =>
            Results.Ok(new
            {
                trustPolicies = (project is null ? state.AllTrustPolicies() : state.TrustPolicies(project)).Select(Describe),
            }));

        group.MapPost("/", (TrustPolicyRequest body, DepotState state) =>
        {
            var project = body.Project ?? throw DepotErrors.Required("project");
            var rules = new TrustPolicyRule?[]
            {
                body.Github is { } g ? new GitHubTrust(g.RepositoryOwner ?? "", g.Repository ?? "") : null,
                body.Circleci is { } c ? new CircleCiTrust(c.OrganizationUuid ?? "", c.ProjectUuid ?? "") : null,
                body.Buildkite is { } b ? new BuildkiteTrust(b.OrganizationSlug ?? "", b.PipelineSlug ?? "") : null,
                body.Gitlab is { } l ? new GitLabTrust(l.ProjectPath ?? "", l.Ref) : null,
                body.Rwx is { } r ? new RwxTrust(r.VaultSubject ?? "") : null,
            }.OfType<TrustPolicyRule>().ToList();
            if (rules.Count != 1)
            {
                throw DepotErrors.Invalid("a trust policy needs exactly one of github, circleci, buildkite, gitlab, rwx");
            }

            return Results.Ok(Describe(state.AddTrustPolicy(project, rules[0])));
        });

        group.MapDelete("/{id}", (string id, DepotState state) =>
        {
            var policy = state.AllTrustPolicies().FirstOrDefault(p => p.Id == id) ?? throw DepotErrors.NotFound("trust policy", id);
            state.RemoveTrustPolicy(policy.ProjectId, policy.Id);
            return Results.NoContent();
        });
    }

    private static object Describe(TrustPolicy p) => new { id = p.Id, project = p.ProjectId, provider = p.Rule.Provider, rule = (object)p.Rule };

    public sealed record TrustPolicyRequest(
        string? Project,
        Domain.Seeding.SeedGitHub? Github,
        Domain.Seeding.SeedCircleCi? Circleci,
        Domain.Seeding.SeedBuildkite? Buildkite,
        Domain.Seeding.SeedGitLab? Gitlab,
        Domain.Seeding.SeedRwx? Rwx);

    private static IResult Discovery(OidcProvider provider, string baseUrl, string? organization)
    {
        var issuer = organization is null
            ? provider.IssuerFor(baseUrl, new OidcClaims([]))
            : $"{baseUrl.TrimEnd('/')}/_emulator/oidc/circleci/org/{organization}";
        return Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = issuer + "/.well-known/jwks",
            ["response_types_supported"] = new[] { "id_token" },
            ["subject_types_supported"] = new[] { "public", "pairwise" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["scopes_supported"] = new[] { "openid" },
            ["claims_supported"] = provider.Payload(baseUrl, null, DateTimeOffset.UnixEpoch, TimeSpan.Zero, null).Select(c => c.Key).Order().ToArray(),
        });
    }

    private static IResult Jwks(OidcSigningKeys keys, OidcProvider provider) => Results.Json(new
    {
        keys = keys.Jwks(provider).Keys.Select(k => new { kty = k.Kty, use = k.Use, alg = k.Alg, kid = k.Kid, n = k.N, e = k.E }),
    });

    private static OidcProvider Provider(string id) => OidcProvider.Find(id)
        ?? throw DepotErrors.NotFound("OIDC provider", $"{id} (known: {string.Join(", ", OidcProvider.All.Select(p => p.Id))})");

    private static OidcProvider SingleIssuerProvider(string id)
    {
        var provider = Provider(id);
        return provider == OidcProvider.CircleCi
            ? throw DepotErrors.NotFound("OIDC issuer", "circleci: CircleCI has one issuer per organization, /_emulator/oidc/circleci/org/<organization-uuid>")
            : provider;
    }

    private static string Organization(string org) => Guid.TryParseExact(org, "D", out _)
        ? org
        : throw DepotErrors.NotFound("OIDC issuer", $"circleci/org/{org}: CircleCI organizations are UUIDs");

    /// <summary>The runner's credential (<c>bearer …</c> for GitHub, <c>Token …</c> for Buildkite); any non-empty value.</summary>
    private static string? RunnerToken(HttpContext http, string scheme)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith(scheme + " ", StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length + 1
            ? header[(scheme.Length + 1)..].Trim() : null;
    }

    private static IResult Refused(string message) => ControlPlaneErrors.Error(401, "unauthenticated", message);

    private static string? Query(StringValues value) => StringValues.IsNullOrEmpty(value) ? null : value.ToString();

    private static async Task<JsonObject?> ReadObject(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync(http.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw DepotErrors.Invalid("the body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw DepotErrors.Invalid("the body is not valid JSON: " + e.Message);
        }
    }
}
