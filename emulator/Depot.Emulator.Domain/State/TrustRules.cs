using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Domain.State;

public static class TrustRules
{
    /// <summary>Rejects a rule Depot would reject; CircleCI wants UUIDs, never friendly names.</summary>
    public static TrustPolicyRule Validate(TrustPolicyRule rule)
    {
        switch (rule)
        {
            case GitHubTrust g:
                Require(g.RepositoryOwner, "github.repository_owner");
                Require(g.Repository, "github.repository");
                if (g.Repository.Contains('/'))
                {
                    throw DepotErrors.Invalid("github.repository is the repository name without its owner");
                }

                break;
            case CircleCiTrust c:
                RequireUuid(c.OrganizationUuid, "circleci.organization_uuid");
                RequireUuid(c.ProjectUuid, "circleci.project_uuid");
                break;
            case BuildkiteTrust b:
                Require(b.OrganizationSlug, "buildkite.organization_slug");
                Require(b.PipelineSlug, "buildkite.pipeline_slug");
                break;
            case GitLabTrust l:
                Require(l.ProjectPath, "gitlab.project_path");
                break;
            case RwxTrust r:
                Require(r.VaultSubject, "rwx.vault_subject");
                break;
        }

        return rule;
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw DepotErrors.Required(field);
        }
    }

    private static void RequireUuid(string? value, string field)
    {
        Require(value, field);
        if (!Guid.TryParseExact(value, "D", out _))
        {
            throw DepotErrors.Invalid($"{field} must be a UUID (CircleCI trust relationships take the organization and project UUIDs, not their names): got \"{value}\"");
        }
    }
}
