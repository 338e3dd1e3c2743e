using Depot.Emulator.Domain.Storage.Memory;

namespace Depot.Emulator.Domain.Storage;

/// <summary>Runs a group of store changes as one: all of them are kept, or none.</summary>
public interface IStateTransactions
{
    T Run<T>(Func<T> work);
}

/// <summary>The stores Depot's records live in, and how to change several of them at once.</summary>
public sealed record StateStores(
    IOrganizationStore Organizations,
    IProjectStore Projects,
    ITokenStore Tokens,
    ITrustPolicyStore TrustPolicies,
    IBuildStore Builds,
    ISettingsStore Settings,
    IStateTransactions Transactions)
{
    public static StateStores InMemory() => new(
        new MemoryOrganizationStore(), new MemoryProjectStore(), new MemoryTokenStore(), new MemoryTrustPolicyStore(),
        new MemoryBuildStore(), new MemorySettingsStore(), MemoryTransactions.Instance);

    /// <summary>Empties every store of Depot's records; settings stay.</summary>
    public void ClearRecords()
    {
        Builds.Clear();
        TrustPolicies.Clear();
        Tokens.Clear();
        Projects.Clear();
        Organizations.Clear();
    }

    /// <summary>Adds every record of <paramref name="source"/> (a freshly seeded set) to these stores.</summary>
    public void CopyRecordsFrom(StateStores source)
    {
        foreach (var organization in source.Organizations.All())
        {
            Organizations.Add(organization);
        }

        foreach (var user in source.Organizations.Users())
        {
            Organizations.AddUser(user);
        }

        foreach (var project in source.Projects.All())
        {
            Projects.Add(project);
        }

        foreach (var token in source.Tokens.All())
        {
            Tokens.Add(token);
        }

        foreach (var policy in source.TrustPolicies.All())
        {
            TrustPolicies.Add(policy);
        }

        foreach (var build in source.Builds.All())
        {
            Builds.Add(build);
        }
    }
}
