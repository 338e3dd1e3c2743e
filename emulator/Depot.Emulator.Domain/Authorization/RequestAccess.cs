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
    /// Authenticates the bearer (when the operation needs one) and applies the matrix. The decision is a value: a
    /// refusal under enforcement is left in <see cref="Denial"/> so the caller can record who was refused before failing.
    /// </summary>
    public static ValueTask<RequestAccess> BeginAsync(DepotState state, Authenticator authenticator, PermissionMatrix matrix,
        OperationInfo operation, EnforcementMode mode, string? bearer, CancellationToken cancellationToken = default) =>
        BeginAsync(state, ct => authenticator.AuthenticateAsync(bearer, ct), matrix, operation, mode, cancellationToken);

    /// <summary>As above, for a caller that authenticates in its own way (the registry's bearer tokens).</summary>
    public static async ValueTask<RequestAccess> BeginAsync(DepotState state,
        Func<CancellationToken, ValueTask<Authentication>> authenticate, PermissionMatrix matrix, OperationInfo operation,
        EnforcementMode mode, CancellationToken cancellationToken = default)
    {
        if (!operation.Service.RequiresToken)
        {
            return new RequestAccess(state, operation, mode, null);
        }

        var authentication = await authenticate(cancellationToken);
        if (authentication.Principal is not { } principal)
        {
            var anonymous = new RequestAccess(state, operation, mode, null);
            anonymous.Record(mode == EnforcementMode.Off ? null : authentication.Failure);
            return anonymous;
        }

        var access = new RequestAccess(state, operation, mode, principal);
        var decision = matrix.Decide(principal.Type, operation);
        access.Record(decision.IsAllowed ? null : DepotErrors.Denied(decision.Reason!));
        return access;
    }

    /// <summary>The same caller, asking for another operation (a registry mount's pull of its source).</summary>
    public RequestAccess For(PermissionMatrix matrix, OperationInfo operation)
    {
        var other = new RequestAccess(_state, operation, Mode, Principal);
        if (Principal is null)
        {
            other.Record(Mode == EnforcementMode.Off || !operation.Service.RequiresToken ? null : DepotErrors.TokenMissing.Raise());
        }
        else
        {
            var decision = matrix.Decide(Principal.Type, operation);
            other.Record(decision.IsAllowed ? null : DepotErrors.Denied(decision.Reason!));
        }

        return other;
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

        var (project, refusal) = CheckProject(id);
        if (refusal is not null)
        {
            // Past here only when enforcement lets the request go on; it then gets the project after all.
            Refuse(refusal);
            project ??= _state.FindProject(id);
        }

        return project ?? throw DepotErrors.NotFound("project", id);
    }

    /// <summary>
    /// Whether the token reaches a project, as a value. A project outside the organizations a user or organization
    /// token reaches answers exactly as one that does not exist, so a token cannot find out which ids other
    /// organizations use; a token bound to one project is refused any other without a lookup.
    /// </summary>
    public (Project? Project, DepotException? Refusal) CheckProject(string id)
    {
        if (Scope.ReachesProjectId(id) == false)
        {
            return (null, Scope.ProjectRefusal(id) ?? OutOfScope($"project {id}"));
        }

        var project = _state.FindProject(id);
        if (project is not null && !Scope.Reaches(project))
        {
            return (project, Scope.ProjectRefusal(id) ?? DepotErrors.NotFound("project", id));
        }

        return (project, null);
    }

    /// <summary>The project a new build goes into, if the token may start builds there.</summary>
    public Project RequireProjectForNewBuild(string? projectId)
    {
        if (string.IsNullOrEmpty(projectId) && string.IsNullOrEmpty(Scope.DefaultProjectId))
        {
            // Depot answers not_found here, and the CLI then offers its project picker.
            throw DepotErrors.NoProject();
        }

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
            // As for projects: another organization's build answers as one that does not exist.
            Refuse(Scope.ProjectRefusal(project.Id) ??
                   (Scope.ReachesProjectId(project.Id) is null ? DepotErrors.NotFound("build", buildId) : OutOfScope($"build {buildId}")));
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
        if (CheckWholeOrganization(organizationId) is { } refusal)
        {
            Refuse(refusal);
        }

        return _state.FindOrganization(organizationId) ?? throw DepotErrors.NotFound("organization", organizationId);
    }

    public DepotException? CheckWholeOrganization(string organizationId) =>
        Scope.ReachesWholeOrganization(organizationId) ? null : OutOfScope($"the repositories of organization {organizationId}");

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

    /// <summary>
    /// The one organization an organization-scoped service (Depot CI) works in: the one the <c>x-depot-org</c> header
    /// names, or the only one the token reaches.
    /// </summary>
    public Organization ScopedOrganization(string? header)
    {
        if (!string.IsNullOrEmpty(header))
        {
            return RequireOrganization(header);
        }

        var visible = VisibleOrganizations();
        return visible.Count switch
        {
            1 => visible[0],
            0 => throw DepotErrors.Denied($"{Principal?.Type.Name() ?? "anonymous"} token reaches no organization"),
            _ => throw DepotErrors.Denied(
                $"{Principal?.Type.Name() ?? "anonymous"} token reaches {visible.Count} organizations ({string.Join(", ", visible.Select(o => o.Id))}); " +
                "name one with the x-depot-org header (--org)"),
        };
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
        DepotErrors.OutOfScope.Raise(Principal?.Type.Name() ?? "anonymous", Scope.Describe(), what);

    /// <summary>Records a refusal (null: none). Enforce: it is the denial. Soft: it is a would-deny. Off: nothing.</summary>
    private void Record(DepotException? denial)
    {
        if (denial is null)
        {
            return;
        }

        switch (Mode)
        {
            case EnforcementMode.Enforce:
                Outcome = AccessOutcome.Denied;
                Denial ??= denial;
                break;
            case EnforcementMode.Soft:
                Outcome = AccessOutcome.WouldDeny;
                _wouldDeny.Add(denial.Message);
                break;
        }
    }

    /// <summary>Records a refusal found by a <c>Check…</c> method; whether the request may go on (not under enforcement).</summary>
    public bool Allows(DepotException? refusal)
    {
        Record(refusal);
        return refusal is null || Mode != EnforcementMode.Enforce;
    }

    /// <summary>A handler's refusal: recorded, and under enforcement the request ends with it.</summary>
    private void Refuse(DepotException denial)
    {
        Record(denial);
        if (Mode == EnforcementMode.Enforce)
        {
            throw denial;
        }
    }
}
