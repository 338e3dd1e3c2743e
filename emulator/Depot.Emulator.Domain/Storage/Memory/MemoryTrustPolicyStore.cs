using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage.Memory;

public sealed class MemoryTrustPolicyStore : ITrustPolicyStore
{
    private readonly object _lock = new();
    private readonly List<TrustPolicy> _policies = [];

    public IReadOnlyList<TrustPolicy> All()
    {
        lock (_lock)
        {
            return _policies.ToList();
        }
    }

    public IReadOnlyList<TrustPolicy> ForProject(string projectId)
    {
        lock (_lock)
        {
            return _policies.Where(p => p.ProjectId == projectId).ToList();
        }
    }

    public bool Add(TrustPolicy policy)
    {
        lock (_lock)
        {
            if (_policies.Any(p => p.Id == policy.Id))
            {
                return false;
            }

            _policies.Add(policy);
            return true;
        }
    }

    public bool Remove(string projectId, string id)
    {
        lock (_lock)
        {
            return _policies.RemoveAll(p => p.ProjectId == projectId && p.Id == id) > 0;
        }
    }

    public void DeleteProject(string projectId)
    {
        lock (_lock)
        {
            _policies.RemoveAll(p => p.ProjectId == projectId);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _policies.Clear();
        }
    }
}
