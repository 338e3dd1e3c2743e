using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Authorization;

/// <summary>
/// The one place a request's access is decided: first the matrix (token type × service), then the token's
/// scope for each resource the handler touches. Handlers ask it for resources; they never look at token types.
/// </summary>
public sealed class RequestAccess
{
    private readonly DepotState _state;
    private readonly List<string> _wouldDeny = [];

    private RequestAccess(DepotState state, OperationInfo operation, EnforcementMode mode, Principal? principal)
    {
        _state = state;
        Operation = operation;
        Mode = mode;
        Principal = principal;
        Outcome = principal is null ? AccessOutcome.Anonymous : AccessOutcome.Allowed;
    }

    public OperationInfo Operation { get; }

    public EnforcementMode Mode { get; }

    public Principal? Principal { get; }

    public AccessOutcome Outcome { get; private set; }

    /// <summary>Denials soft mode let through.</summary>
    public IReadOnlyList<string> WouldDeny => _wouldDeny;

    public TokenScope Scope => Principal?.Scope ?? UnrestrictedScope.Instance;

    /// <summary>
    /// Authenticates the bearer (when the operation needs one) and applies the matrix. Never throws: a refusal
    /// under enforcement is left in <see cref="Denial"/> so the caller can record who was refused before failing.
    /// </summary>
    public static RequestAccess Begin(DepotState state, Authenticator authenticator, PermissionMatrix matrix,
        OperationInfo operation, EnforcementMode mode, string? bearer) =>
        Begin(state, () => authenticator.Authenticate(bearer), matrix, operation, mode);

    /// <summary>As above, for a caller that authenticates in its own way (the registry's bearer tokens).</summary>
    public static RequestAccess Begin(DepotState state, Func<Principal> authenticate, PermissionMatrix matrix,
        OperationInfo operation, EnforcementMode mode)
    {
        if (!operation.Service.RequiresToken)
        {
            return new RequestAccess(state, operation, mode, null);
        }

        RequestAccess access;
        DepotException? refusal = null;
        try
        {
            var principal = authenticate();
            access = new RequestAccess(state, operation, mode, principal);
            var decision = matrix.Decide(principal.Type, operation);
            if (!decision.IsAllowed)
            {
                refusal = DepotErrors.Denied(decision.Reason!);
            }
        }
        catch (DepotException e)
        {
            access = new RequestAccess(state, operation, mode, null);
            refusal = mode == EnforcementMode.Off ? null : e;
        }

        if (refusal is not null)
        {
            try
            {
                access.Refuse(refusal);
            }
            catch (DepotException)
            {
                // Kept in Denial.
            }
        }

        return access;
    }

    /// <summary>Why the request was refused, under enforcement.</summary>
    public DepotException? Denial { get; private set; }

    /// <summary>The project the request names, if the token reaches it.</summary>
    public Project RequireProject(string? projectId)
    {
        var id = string.IsNullOrEmpty(projectId) ? Scope.DefaultProjectId : projectId;
        if (string.IsNullOrEmpty(id))
        {
            throw DepotErrors.Required("project_id");
        }

        if (Scope.ReachesProjectId(id) == false)
        {
            Refuse(Scope.ProjectRefusal(id) ?? OutOfScope($"project {id}"));
        }

        var project = _state.FindProject(id) ?? throw DepotErrors.NotFound("project", id);
        if (!Scope.Reaches(project))
        {
            Refuse(Scope.ProjectRefusal(id) ?? OutOfScope($"project {id}"));
        }

        return project;
    }

    /// <summary>The project a new build goes into, if the token may start builds there.</summary>
    public Project RequireProjectForNewBuild(string? projectId)
    {
        var project = RequireProject(projectId);
        if (!Scope.StartsBuilds)
        {
            Refuse(DepotErrors.Denied($"{Principal?.Type.Name() ?? "anonymous"} token is scoped to {Scope.Describe()}; it cannot start other builds"));
        }

        return project;
    }

    /// <summary>The build the request names, if the token reaches it (a build token reaches only its own).</summary>
    public Build RequireBuild(string? buildId)
    {
        if (string.IsNullOrEmpty(buildId))
        {
            throw DepotErrors.Required("build_id");
        }

        if (Scope.ReachesBuildId(buildId) == false)
        {
            Refuse(OutOfScope($"build {buildId}"));
        }

        var build = _state.FindBuild(buildId) ?? throw DepotErrors.NotFound("build", buildId);
        var project = _state.FindProject(build.ProjectId) ?? throw DepotErrors.NotFound("build", buildId);
        if (!Scope.Reaches(project))
        {
            Refuse(Scope.ProjectRefusal(project.Id) ?? OutOfScope($"build {buildId}"));
        }

        return build;
    }

    /// <summary>The builds of a project the token reaches, newest first; a build token sees only its own.</summary>
    public IReadOnlyList<Build> VisibleBuilds(Project project) =>
        _state.Builds(project.Id).Where(b => Scope.ReachesBuildId(b.Id) != false).ToList();

    public Organization RequireOrganization(string organizationId)
    {
        if (!Scope.ReachesOrganization(organizationId))
        {
            Refuse(OutOfScope($"organization {organizationId}"));
        }

        return _state.FindOrganization(organizationId) ?? throw DepotErrors.NotFound("organization", organizationId);
    }

    /// <summary>An organization as a whole (its registry's organization-form repositories), not one of its projects.</summary>
    public Organization RequireWholeOrganization(string organizationId)
    {
        if (!Scope.ReachesWholeOrganization(organizationId))
        {
            Refuse(OutOfScope($"the repositories of organization {organizationId}"));
        }

        return _state.FindOrganization(organizationId) ?? throw DepotErrors.NotFound("organization", organizationId);
    }

    /// <summary>
    /// The one organization an organization-wide service (Cache, Agents) acts for: the one the request names, else the
    /// only one the token reaches. A token reaching several must name one; <paramref name="howToName"/> says how.
    /// </summary>
    public Organization RequireActingOrganization(string? named, string howToName)
    {
        if (!string.IsNullOrEmpty(named))
        {
            return RequireWholeOrganization(named);
        }

        var visible = VisibleOrganizations();
        return visible.Count switch
        {
            1 => RequireWholeOrganization(visible[0].Id),
            0 => throw DepotErrors.Denied($"{Principal?.Type.Name() ?? "anonymous"} token reaches no organization"),
            _ => throw DepotErrors.Denied(
                $"{Principal?.Type.Name() ?? "anonymous"} token reaches {visible.Count} organizations ({string.Join(", ", visible.Select(o => o.Id))}); name one with {howToName}"),
        };
    }

    /// <summary>Organizations the token reaches; <paramref name="only"/> narrows to one (the x-depot-org header).</summary>
    public IReadOnlyList<Organization> VisibleOrganizations(string? only = null)
    {
        var visible = _state.Organizations().Where(o => Scope.ReachesOrganization(o.Id)).ToList();
        if (string.IsNullOrEmpty(only))
        {
            return visible;
        }

        RequireOrganization(only);
        return visible.Where(o => o.Id == only).ToList();
    }

    public IReadOnlyList<Project> VisibleProjects(string? organizationId = null)
    {
        var orgs = VisibleOrganizations(organizationId).Select(o => o.Id).ToHashSet();
        return _state.Projects().Where(p => orgs.Contains(p.OrganizationId) && Scope.Reaches(p)).ToList();
    }

    /// <summary>The organization a new resource goes into: the named one, or the only one the token reaches.</summary>
    public Organization TargetOrganization(string? organizationId)
    {
        if (!string.IsNullOrEmpty(organizationId))
        {
            return RequireOrganization(organizationId);
        }

        var visible = VisibleOrganizations();
        return visible.Count switch
        {
            1 => visible[0],
            0 => throw DepotErrors.Invalid("organization_id is required: the token reaches no organization"),
            _ => throw DepotErrors.Invalid(
                $"organization_id is required: the token reaches {visible.Count} organizations ({string.Join(", ", visible.Select(o => o.Id))})"),
        };
    }

    private DepotException OutOfScope(string what) =>
        DepotErrors.Denied($"{Principal?.Type.Name() ?? "anonymous"} token is scoped to {Scope.Describe()}; it does not reach {what}");

    /// <summary>Enforce: throw. Soft: record and go on. Off: go on.</summary>
    private void Refuse(DepotException denial)
    {
        switch (Mode)
        {
            case EnforcementMode.Enforce:
                Outcome = AccessOutcome.Denied;
                Denial = denial;
                throw denial;
            case EnforcementMode.Soft:
                Outcome = AccessOutcome.WouldDeny;
                _wouldDeny.Add(denial.Message);
                break;
        }
    }
}
