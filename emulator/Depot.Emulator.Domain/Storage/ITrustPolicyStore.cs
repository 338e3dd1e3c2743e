using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Storage;

public interface ITrustPolicyStore
{
    /// <summary>In the order they were added.</summary>
    IReadOnlyList<TrustPolicy> All();

    /// <summary>A project's policies, in the order they were added.</summary>
    IReadOnlyList<TrustPolicy> ForProject(string projectId);

    /// <summary>Adds the policy; false when one with its id exists.</summary>
    bool Add(TrustPolicy policy);

    bool Remove(string projectId, string id);

    void DeleteProject(string projectId);

    void Clear();
}
