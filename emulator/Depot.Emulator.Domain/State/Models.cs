using Depot.Emulator.Domain.Matrix;

namespace Depot.Emulator.Domain.State;

public sealed record Organization(string Id, string Name, DateTimeOffset CreatedAt);

public sealed record User(string Id, string Name, string Email, IReadOnlyList<string> OrganizationIds);

public sealed record CachePolicy(int KeepGb, int KeepDays)
{
    public static readonly CachePolicy Default = new(50, 14);

    public long KeepBytes => KeepGb * 1024L * 1024 * 1024;
}

public sealed record Project(
    string Id,
    string Name,
    string OrganizationId,
    string RegionId,
    DateTimeOffset CreatedAt,
    CachePolicy CachePolicy,
    string Hardware,
    int CacheResets = 0);

/// <summary>A token as stored: its secret only as a hash.</summary>
public sealed record TokenRecord(
    string Id,
    TokenType Type,
    byte[] SecretHash,
    string Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string? UserId = null,
    string? OrganizationId = null,
    string? ProjectId = null,
    string? BuildId = null);

/// <summary>An issued token and its secret, which is shown once and never stored.</summary>
public sealed record IssuedToken(TokenRecord Record, string Secret);

public abstract record TrustPolicyRule
{
    public abstract string Provider { get; }
}

public sealed record GitHubTrust(string RepositoryOwner, string Repository) : TrustPolicyRule
{
    public override string Provider => "github";
}

public sealed record CircleCiTrust(string OrganizationUuid, string ProjectUuid) : TrustPolicyRule
{
    public override string Provider => "circleci";
}

public sealed record BuildkiteTrust(string OrganizationSlug, string PipelineSlug) : TrustPolicyRule
{
    public override string Provider => "buildkite";
}

public sealed record GitLabTrust(string ProjectPath, string? Ref) : TrustPolicyRule
{
    public override string Provider => "gitlab";
}

public sealed record RwxTrust(string VaultSubject) : TrustPolicyRule
{
    public override string Provider => "rwx";
}

public sealed record TrustPolicy(string Id, string ProjectId, TrustPolicyRule Rule);
