namespace Depot.Emulator.Domain.Registry;

/// <summary>
/// Where a repository lives in Depot's naming. The project form <c>registry.depot.dev/&lt;project-id&gt;</c> is one
/// path component and belongs to that project; the organization form <c>&lt;org-id&gt;.registry.depot.dev/&lt;repo&gt;</c>
/// belongs to the organization, and is stored as <c>&lt;org-id&gt;/&lt;repo&gt;</c>.
/// </summary>
public sealed record RegistryRepository(string Name, string? ProjectId, string? OrganizationId)
{
    /// <summary>
    /// Reads a name as a client sent it. <paramref name="hostOrganization"/> is the organization a host-based name
    /// (<c>org-acme.localhost:4500/app</c>) put in front; without one, a single component is a project and the first of
    /// several is an organization.
    /// </summary>
    public static RegistryRepository FromName(string name, string? hostOrganization)
    {
        RegistryNames.RequireName(name);
        if (hostOrganization is not null)
        {
            return new RegistryRepository($"{hostOrganization}/{name}", null, hostOrganization);
        }

        var slash = name.IndexOf('/');
        return slash < 0
            ? new RegistryRepository(name, name, null)
            : new RegistryRepository(name, null, name[..slash]);
    }

    public bool IsProjectForm => ProjectId is not null;

    public override string ToString() => Name;
}
