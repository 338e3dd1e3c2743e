using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage.Memory;

public sealed class MemoryOrganizationStore : IOrganizationStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Organization> _organizations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, User> _users = new(StringComparer.Ordinal);

    public Organization? Find(string id)
    {
        lock (_lock)
        {
            return _organizations.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<Organization> All()
    {
        lock (_lock)
        {
            return _organizations.Values.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
        }
    }

    public bool Add(Organization organization)
    {
        lock (_lock)
        {
            return _organizations.TryAdd(organization.Id, organization);
        }
    }

    public User? FindUser(string id)
    {
        lock (_lock)
        {
            return _users.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<User> Users()
    {
        lock (_lock)
        {
            return _users.Values.OrderBy(u => u.Id, StringComparer.Ordinal).ToList();
        }
    }

    public bool AddUser(User user)
    {
        lock (_lock)
        {
            return _users.TryAdd(user.Id, user with { OrganizationIds = user.OrganizationIds.ToList() });
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _organizations.Clear();
            _users.Clear();
        }
    }
}
