using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Identity;

/// <summary>Who is calling: an authenticated token, its type (for the matrix) and its scope (for resources).</summary>
public sealed record Principal(string TokenId, TokenType Type, TokenScope Scope)
{
    public string Describe() => $"{Type.Name()} token {TokenId} ({Scope.Describe()})";
}

/// <summary>Which organizations, projects and builds a token reaches; derived from what the token is bound to.</summary>
public abstract class TokenScope
{
    /// <summary>Answers without a lookup where the token is bound to one project; null when the project's organization decides.</summary>
    public abstract bool? ReachesProjectId(string projectId);

    public abstract bool Reaches(Project project);

    public abstract bool ReachesOrganization(string organizationId);

    /// <summary>Answers without a lookup where the token is bound to one build; null when the build's project decides.</summary>
    public virtual bool? ReachesBuildId(string buildId) => null;

    /// <summary>Whether the token may start new builds in the projects it reaches (a build token may not).</summary>
    public virtual bool StartsBuilds => true;

    /// <summary>Whether the token stands for the whole organization, not only some of its projects (its registry's organization form).</summary>
    public virtual bool ReachesWholeOrganization(string organizationId) => false;

    /// <summary>The project a project-bound token stands for, used where a request omits it.</summary>
    public virtual string? DefaultProjectId => null;

    /// <summary>The error for a project out of reach, when the scope words it itself; null for the standard denial.</summary>
    public virtual Errors.DepotException? ProjectRefusal(string projectId) => null;

    public abstract string Describe();
}

/// <summary>User and organization tokens: every project of some organizations.</summary>
public sealed class OrganizationsScope(IReadOnlyCollection<string> organizationIds) : TokenScope
{
    public IReadOnlyCollection<string> OrganizationIds { get; } = organizationIds;

    public override bool? ReachesProjectId(string projectId) => null;

    public override bool Reaches(Project project) => OrganizationIds.Contains(project.OrganizationId);

    public override bool ReachesOrganization(string organizationId) => OrganizationIds.Contains(organizationId);

    public override bool ReachesWholeOrganization(string organizationId) => OrganizationIds.Contains(organizationId);

    public override string Describe() => OrganizationIds.Count == 1
        ? $"organization {OrganizationIds.First()}"
        : $"organizations {string.Join(", ", OrganizationIds)}";
}

/// <summary>Project, pull and trust-relationship tokens: one project.</summary>
public sealed class ProjectScope(string projectId, string organizationId) : TokenScope
{
    public string ProjectId { get; } = projectId;

    public override bool? ReachesProjectId(string projectId) => projectId == ProjectId;

    public override bool Reaches(Project project) => project.Id == ProjectId;

    public override bool ReachesOrganization(string id) => id == organizationId;

    public override string? DefaultProjectId => ProjectId;

    public override string Describe() => $"project {ProjectId}";
}

/// <summary>Build tokens: one build, and its project's registry.</summary>
public sealed class BuildScope(string buildId, string projectId, string organizationId) : TokenScope
{
    public string BuildId { get; } = buildId;

    public override bool? ReachesProjectId(string id) => id == projectId;

    public override bool Reaches(Project project) => project.Id == projectId;

    public override bool ReachesOrganization(string id) => id == organizationId;

    public override bool? ReachesBuildId(string id) => id == BuildId;

    public override bool StartsBuilds => false;

    public override string? DefaultProjectId => projectId;

    public override string Describe() => $"build {BuildId} of project {projectId}";
}

/// <summary>Everything: the scope of an anonymous caller when enforcement is off.</summary>
public sealed class UnrestrictedScope : TokenScope
{
    public static readonly UnrestrictedScope Instance = new();

    public override bool? ReachesProjectId(string projectId) => true;

    public override bool Reaches(Project project) => true;

    public override bool ReachesOrganization(string organizationId) => true;

    public override bool ReachesWholeOrganization(string organizationId) => true;

    public override string Describe() => "everything (enforcement off)";
}
