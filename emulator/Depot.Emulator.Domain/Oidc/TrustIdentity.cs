using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Oidc;

/// <summary>A validated CI token: who issued it, what it claims, and until when it counts.</summary>
public sealed record TrustIdentity(OidcProvider Provider, string Issuer, OidcClaims Claims, DateTimeOffset ExpiresAt)
{
    /// <summary>Names the token in journals and messages without its secret: provider and <c>jti</c> (or subject).</summary>
    public string TokenId => $"oidc:{Provider.Id}:{Claims.String("jti") ?? Claims.String("sub") ?? "-"}";

    public string Describe() => $"{Provider.Id} {Provider.Describe(Claims)}";

    public bool Satisfies(TrustPolicyRule rule) => Provider.Satisfies(Claims, rule);
}

/// <summary>
/// A trust relationship's reach: every project with a trust policy the token satisfies, decided per request
/// against the policies as they are now. Falling outside it is an authentication failure (the token is no
/// credential for that project), reported with the claims the policies compared.
/// </summary>
public sealed class TrustScope(TrustIdentity identity, DepotState state) : TokenScope
{
    public TrustIdentity Identity { get; } = identity;

    public override bool? ReachesProjectId(string projectId) => state.TrustPolicies(projectId).Any(p => Identity.Satisfies(p.Rule));

    public override bool Reaches(Project project) => ReachesProjectId(project.Id) == true;

    public override bool ReachesOrganization(string organizationId) =>
        MatchedProjects().Any(id => state.FindProject(id)?.OrganizationId == organizationId);

    /// <summary>The one project whose trust policies the token satisfies, when there is exactly one.</summary>
    public override string? DefaultProjectId => MatchedProjects() is [var only] ? only : null;

    public override DepotException? ProjectRefusal(string projectId) =>
        DepotErrors.Unauthenticated($"OIDC token {Identity.Provider.Describe(Identity.Claims)} matches no trust relationship of project {projectId}");

    public override string Describe() => $"trust relationships matching {Identity.Describe()}";

    private List<string> MatchedProjects() =>
        state.AllTrustPolicies().Where(p => Identity.Satisfies(p.Rule)).Select(p => p.ProjectId).Distinct().ToList();
}
