using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Tests.Storage;

public abstract class TrustPolicyStoreConformance<TStores> : StoreConformance<TStores>
    where TStores : StoreImplementation, new()
{
    [Fact]
    public void Every_providers_rule_reads_back_in_the_order_added()
    {
        TrustPolicy[] policies =
        [
            new("tp-1", "p1", new GitHubTrust("acme", "web")),
            new("tp-2", "p1", new CircleCiTrust("8d3f2c1e-0b6a-4c1d-9e2f-3a4b5c6d7e8f", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")),
            new("tp-3", "p2", new BuildkiteTrust("acme", "deploy")),
            new("tp-4", "p1", new GitLabTrust("acme/web", null)),
            new("tp-5", "p1", new GitLabTrust("acme/api", "main")),
            new("tp-6", "p2", new RwxTrust("acme-vault")),
        ];
        foreach (var policy in policies)
        {
            Assert.True(Stores.TrustPolicies.Add(policy));
        }

        Assert.False(Stores.TrustPolicies.Add(new TrustPolicy("tp-1", "p2", new RwxTrust("x"))));
        Reopen();
        Assert.Equal(policies, Stores.TrustPolicies.All());
        Assert.Equal(["tp-1", "tp-2", "tp-4", "tp-5"], Stores.TrustPolicies.ForProject("p1").Select(p => p.Id));
    }

    [Fact]
    public void A_policy_is_removed_only_through_its_own_project()
    {
        Stores.TrustPolicies.Add(new TrustPolicy("tp-1", "p1", new GitHubTrust("acme", "web")));
        Stores.TrustPolicies.Add(new TrustPolicy("tp-2", "p2", new GitHubTrust("acme", "api")));
        Stores.TrustPolicies.Add(new TrustPolicy("tp-3", "p2", new GitHubTrust("acme", "ops")));
        Assert.False(Stores.TrustPolicies.Remove("p2", "tp-1"));
        Assert.True(Stores.TrustPolicies.Remove("p1", "tp-1"));
        Assert.False(Stores.TrustPolicies.Remove("p1", "tp-1"));
        Stores.TrustPolicies.DeleteProject("p2");
        Assert.Empty(Stores.TrustPolicies.All());
    }
}

public sealed class MemoryTrustPolicyStoreTests : TrustPolicyStoreConformance<MemoryStores>;

public sealed class SqliteTrustPolicyStoreTests : TrustPolicyStoreConformance<SqliteStores>;
