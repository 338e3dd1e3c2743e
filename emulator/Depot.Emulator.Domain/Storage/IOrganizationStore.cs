using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage;

/// <summary>Organizations, users and their memberships (a user lists the organizations it belongs to).</summary>
public interface IOrganizationStore
{
    Organization? Find(string id);

    /// <summary>Oldest first, then by id.</summary>
    IReadOnlyList<Organization> All();

    /// <summary>Adds the organization; false when one with its id exists.</summary>
    bool Add(Organization organization);

    User? FindUser(string id);

    /// <summary>By id.</summary>
    IReadOnlyList<User> Users();

    /// <summary>Adds the user; false when one with its id exists.</summary>
    bool AddUser(User user);

    void Clear();
}
