using System.Text.Json.Nodes;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>
/// One CI identity provider: how its tokens are shaped (the claim names each provider documents), which trust
/// policies they can satisfy, and how an identity is named in messages.
/// </summary>
public abstract class OidcProvider
{
    /// <summary>The audience the Depot CLI asks for and Depot expects.</summary>
    public const string DepotAudience = "https://depot.dev";

    public static readonly OidcProvider GitHub = new GitHubProvider();
    public static readonly OidcProvider CircleCi = new CircleCiProvider();
    public static readonly OidcProvider Buildkite = new BuildkiteProvider();
    public static readonly OidcProvider GitLab = new GitLabProvider();
    public static readonly OidcProvider Rwx = new RwxProvider();

    public static readonly IReadOnlyList<OidcProvider> All = [GitHub, CircleCi, Buildkite, GitLab, Rwx];

    /// <summary>The name in URLs, seed files and trust policies: github, circleci, buildkite, gitlab, rwx.</summary>
    public abstract string Id { get; }

    public abstract string Title { get; }

    public static OidcProvider? Find(string? id) => All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The issuer the emulator's fake provider signs as, under <paramref name="baseUrl"/>.</summary>
    public virtual string IssuerFor(string baseUrl, OidcClaims claims) => $"{baseUrl.TrimEnd('/')}/_emulator/oidc/{Id}";

    /// <summary>Audiences accepted besides <see cref="DepotAudience"/>.</summary>
    public virtual bool AcceptsAudience(string audience, OidcClaims claims) => audience == DepotAudience;

    /// <summary>
    /// A complete, realistic payload: the defaults, then <paramref name="overrides"/> (a null value removes a claim),
    /// with the claims that derive from others (sub, owner, ...) following the overridden ones.
    /// </summary>
    public JsonObject Payload(string baseUrl, string? audience, DateTimeOffset now, TimeSpan lifetime, JsonObject? overrides)
    {
        overrides ??= [];
        var input = new OidcClaims(overrides);
        var payload = new JsonObject();
        foreach (var (name, value) in Defaults(input))
        {
            payload[name] = value;
        }

        payload["aud"] = audience ?? DefaultAudience(input);
        payload["iat"] = now.ToUnixTimeSeconds();
        payload["nbf"] = now.ToUnixTimeSeconds();
        payload["exp"] = (now + lifetime).ToUnixTimeSeconds();
        payload["jti"] = Guid.NewGuid().ToString();
        foreach (var (name, value) in overrides)
        {
            if (value is null)
            {
                payload.Remove(name);
            }
            else
            {
                payload[name] = value.DeepClone();
            }
        }

        if (!overrides.ContainsKey("iss"))
        {
            payload["iss"] = IssuerFor(baseUrl, new OidcClaims(payload));
        }

        return payload;
    }

    protected virtual string DefaultAudience(OidcClaims input) => DepotAudience;

    /// <summary>Default claims, derived from whatever the caller overrides.</summary>
    protected abstract IEnumerable<(string Name, JsonNode? Value)> Defaults(OidcClaims input);

    /// <summary>Whether a validated token satisfies <paramref name="rule"/>; only rules of this provider can match.</summary>
    public abstract bool Satisfies(OidcClaims claims, TrustPolicyRule rule);

    /// <summary>The claims a trust policy looks at, for messages: <c>repository "acme/web"</c>.</summary>
    public abstract string Describe(OidcClaims claims);

    /// <summary>Why the claims contradict the issuer that signed them, if they do.</summary>
    public virtual string? Contradiction(OidcClaims claims, string issuer) => null;

    /// <summary>Claims a token of this provider must carry to be matched at all.</summary>
    public abstract IReadOnlyList<string> RequiredClaims { get; }

    protected static string Quote(string? value) => value is null ? "(missing)" : $"\"{value}\"";
}

internal sealed class GitHubProvider : OidcProvider
{
    public override string Id => "github";

    public override string Title => "GitHub Actions";

    public override IReadOnlyList<string> RequiredClaims => ["repository"];

    protected override IEnumerable<(string, JsonNode?)> Defaults(OidcClaims input)
    {
        var repository = input.String("repository") ?? "acme/web";
        var owner = repository.Contains('/') ? repository[..repository.IndexOf('/')] : repository;
        var gitRef = input.String("ref") ?? "refs/heads/main";
        var workflowRef = $"{repository}/.github/workflows/ci.yml@{gitRef}";
        const string sha = "0123456789abcdef0123456789abcdef01234567";
        yield return ("sub", $"repo:{repository}:ref:{gitRef}");
        yield return ("ref", gitRef);
        yield return ("sha", sha);
        yield return ("repository", repository);
        yield return ("repository_owner", owner);
        yield return ("repository_owner_id", "1000001");
        yield return ("repository_id", "2000001");
        yield return ("repository_visibility", "private");
        yield return ("actor_id", "3000001");
        yield return ("actor", "octocat");
        yield return ("run_id", "4000001");
        yield return ("run_number", "1");
        yield return ("run_attempt", "1");
        yield return ("workflow", "CI");
        yield return ("workflow_ref", workflowRef);
        yield return ("workflow_sha", sha);
        yield return ("head_ref", "");
        yield return ("base_ref", "");
        yield return ("event_name", "push");
        yield return ("ref_type", gitRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? "tag" : "branch");
        yield return ("ref_protected", "false");
        yield return ("job_workflow_ref", workflowRef);
        yield return ("job_workflow_sha", sha);
        yield return ("runner_environment", "github-hosted");
    }

    public override bool Satisfies(OidcClaims claims, TrustPolicyRule rule) =>
        rule is GitHubTrust g && claims.String("repository") == $"{g.RepositoryOwner}/{g.Repository}";

    public override string Describe(OidcClaims claims) => $"repository {Quote(claims.String("repository"))}";
}

internal sealed class CircleCiProvider : OidcProvider
{
    public const string DefaultOrganization = "6a6f7e3c-1d2b-4c5a-9e8f-0a1b2c3d4e5f";
    public const string DefaultProject = "5b4c3d2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e";
    public const string DefaultUser = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    public const string ProjectClaim = "oidc.circleci.com/project-id";

    public override string Id => "circleci";

    public override string Title => "CircleCI";

    public override IReadOnlyList<string> RequiredClaims => ["sub", ProjectClaim];

    /// <summary>CircleCI has one issuer per organization.</summary>
    public override string IssuerFor(string baseUrl, OidcClaims claims) =>
        $"{baseUrl.TrimEnd('/')}/_emulator/oidc/circleci/org/{Organization(claims) ?? DefaultOrganization}";

    /// <summary><c>CIRCLE_OIDC_TOKEN_V2</c>'s default audience is the organization UUID, and the CLI sends it unchanged.</summary>
    public override bool AcceptsAudience(string audience, OidcClaims claims) =>
        audience == DepotAudience || (Organization(claims) is { } org && audience == org);

    protected override string DefaultAudience(OidcClaims input) => Organization(input) ?? DefaultOrganization;

    /// <summary>Each organization has its own issuer; a token naming another organization in <c>sub</c> is forged.</summary>
    public override string? Contradiction(OidcClaims claims, string issuer)
    {
        var marker = issuer.LastIndexOf("/org/", StringComparison.Ordinal);
        var issuerOrganization = marker < 0 ? null : issuer[(marker + "/org/".Length)..];
        return issuerOrganization is not null && !string.Equals(issuerOrganization, Organization(claims), StringComparison.OrdinalIgnoreCase)
            ? $"sub names organization {Quote(Organization(claims))} but the issuer is organization \"{issuerOrganization}\"'s"
            : null;
    }

    /// <summary>The organization UUID, from <c>sub</c> (<c>org/{org}/project/{project}/user/{user}</c>).</summary>
    public static string? Organization(OidcClaims claims) => SubjectPart(claims, 1);

    public static string? Project(OidcClaims claims) => claims.String(ProjectClaim) ?? SubjectPart(claims, 3);

    private static string? SubjectPart(OidcClaims claims, int index)
    {
        var parts = claims.String("sub")?.Split('/');
        return parts is { Length: >= 4 } && parts[0] == "org" && parts[2] == "project" ? parts[index] : null;
    }

    protected override IEnumerable<(string, JsonNode?)> Defaults(OidcClaims input)
    {
        var org = Organization(input) ?? DefaultOrganization;
        var project = Project(input) ?? DefaultProject;
        yield return ("sub", $"org/{org}/project/{project}/user/{DefaultUser}");
        yield return (ProjectClaim, project);
        yield return ("oidc.circleci.com/context-ids", new JsonArray());
        yield return ("oidc.circleci.com/vcs-origin", "github.com/acme/web");
        yield return ("oidc.circleci.com/vcs-ref", "refs/heads/main");
        yield return ("oidc.circleci.com/ssh-rerun", false);
    }

    public override bool Satisfies(OidcClaims claims, TrustPolicyRule rule) =>
        rule is CircleCiTrust c
        && string.Equals(Organization(claims), c.OrganizationUuid, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Project(claims), c.ProjectUuid, StringComparison.OrdinalIgnoreCase);

    public override string Describe(OidcClaims claims) =>
        $"organization {Quote(Organization(claims))} project {Quote(Project(claims))}";
}

internal sealed class BuildkiteProvider : OidcProvider
{
    public override string Id => "buildkite";

    public override string Title => "Buildkite";

    public override IReadOnlyList<string> RequiredClaims => ["organization_slug", "pipeline_slug"];

    protected override IEnumerable<(string, JsonNode?)> Defaults(OidcClaims input)
    {
        var org = input.String("organization_slug") ?? "acme";
        var pipeline = input.String("pipeline_slug") ?? "web";
        var branch = input.String("build_branch") ?? "main";
        var commit = input.String("build_commit") ?? "0123456789abcdef0123456789abcdef01234567";
        var step = input.String("step_key") ?? "build";
        yield return ("sub", $"organization:{org}:pipeline:{pipeline}:ref:refs/heads/{branch}:commit:{commit}:step:{step}");
        yield return ("organization_slug", org);
        yield return ("pipeline_slug", pipeline);
        yield return ("build_number", 1);
        yield return ("build_branch", branch);
        yield return ("build_tag", null);
        yield return ("build_commit", commit);
        yield return ("build_source", "webhook");
        yield return ("step_key", step);
        yield return ("job_id", input.String("job_id") ?? "01890000-0000-4000-8000-000000000001");
        yield return ("agent_id", "01890000-0000-4000-8000-0000000000a1");
        yield return ("organization_id", "01890000-0000-4000-8000-0000000000b1");
        yield return ("pipeline_id", "01890000-0000-4000-8000-0000000000c1");
        yield return ("runner_environment", "self-hosted");
    }

    public override bool Satisfies(OidcClaims claims, TrustPolicyRule rule) =>
        rule is BuildkiteTrust b
        && claims.String("organization_slug") == b.OrganizationSlug
        && claims.String("pipeline_slug") == b.PipelineSlug;

    public override string Describe(OidcClaims claims) =>
        $"pipeline {Quote(claims.String("organization_slug") is { } o && claims.String("pipeline_slug") is { } p ? $"{o}/{p}" : null)}";
}

internal sealed class GitLabProvider : OidcProvider
{
    public override string Id => "gitlab";

    public override string Title => "GitLab CI/CD";

    public override IReadOnlyList<string> RequiredClaims => ["project_path"];

    protected override IEnumerable<(string, JsonNode?)> Defaults(OidcClaims input)
    {
        var path = input.String("project_path") ?? "acme/web";
        var ns = path.Contains('/') ? path[..path.LastIndexOf('/')] : path;
        var gitRef = input.String("ref") ?? "main";
        var refType = input.String("ref_type") ?? "branch";
        const string sha = "0123456789abcdef0123456789abcdef01234567";
        yield return ("sub", $"project_path:{path}:ref_type:{refType}:ref:{gitRef}");
        yield return ("namespace_id", "1000001");
        yield return ("namespace_path", ns);
        yield return ("project_id", "2000001");
        yield return ("project_path", path);
        yield return ("user_id", "3000001");
        yield return ("user_login", "ada");
        yield return ("user_email", "ada@example.com");
        yield return ("user_access_level", "developer");
        yield return ("pipeline_id", "4000001");
        yield return ("pipeline_source", "push");
        yield return ("job_id", "5000001");
        yield return ("ref", gitRef);
        yield return ("ref_type", refType);
        yield return ("ref_path", refType == "tag" ? $"refs/tags/{gitRef}" : $"refs/heads/{gitRef}");
        yield return ("ref_protected", "true");
        yield return ("runner_id", 6000001);
        yield return ("runner_environment", "gitlab-hosted");
        yield return ("sha", sha);
        yield return ("project_visibility", "private");
        yield return ("ci_config_ref_uri", $"gitlab.com/{path}//.gitlab-ci.yml@refs/heads/{gitRef}");
        yield return ("ci_config_sha", sha);
    }

    public override bool Satisfies(OidcClaims claims, TrustPolicyRule rule) =>
        rule is GitLabTrust l
        && claims.String("project_path") == l.ProjectPath
        && (string.IsNullOrEmpty(l.Ref) || claims.String("ref") == l.Ref);

    public override string Describe(OidcClaims claims) =>
        $"project_path {Quote(claims.String("project_path"))} ref {Quote(claims.String("ref"))}";
}

internal sealed class RwxProvider : OidcProvider
{
    public override string Id => "rwx";

    public override string Title => "RWX";

    public override IReadOnlyList<string> RequiredClaims => ["sub"];

    protected override IEnumerable<(string, JsonNode?)> Defaults(OidcClaims input)
    {
        yield return ("sub", input.String("sub") ?? "mint:6a6f7e3c-1d2b-4c5a-9e8f-0a1b2c3d4e5f:default");
    }

    public override bool Satisfies(OidcClaims claims, TrustPolicyRule rule) =>
        rule is RwxTrust r && claims.String("sub") == r.VaultSubject;

    public override string Describe(OidcClaims claims) => $"subject {Quote(claims.String("sub"))}";
}
