using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Tests.Storage;

public abstract class ProjectStoreConformance<TStores> : StoreConformance<TStores>
    where TStores : StoreImplementation, new()
{
    private static Project Project(string id, DateTimeOffset at) =>
        new(id, "name-" + id, "org-a", "eu-central-1", at, new CachePolicy(20, 7), "HARDWARE_32X64", 2);

    [Fact]
    public void A_project_reads_back_field_for_field()
    {
        Assert.True(Stores.Projects.Add(Project("p1", T0)));
        Assert.False(Stores.Projects.Add(Project("p1", T0.AddDays(1))));
        Reopen();
        Assert.Equal(Project("p1", T0), Stores.Projects.Find("p1"));
        Assert.Null(Stores.Projects.Find("p2"));
    }

    [Fact]
    public void Projects_list_oldest_first_then_by_id()
    {
        Stores.Projects.Add(Project("pb", T0));
        Stores.Projects.Add(Project("pa", T0));
        Stores.Projects.Add(Project("p0", T0.AddSeconds(1)));
        Assert.Equal(["pa", "pb", "p0"], Stores.Projects.All().Select(p => p.Id));
    }

    [Fact]
    public void Update_replaces_an_existing_project_only()
    {
        Stores.Projects.Add(Project("p1", T0));
        Assert.True(Stores.Projects.Update(Project("p1", T0) with { Name = "renamed", CacheResets = 3 }));
        Assert.False(Stores.Projects.Update(Project("p2", T0)));
        Reopen();
        Assert.Equal(("renamed", 3), (Stores.Projects.Find("p1")!.Name, Stores.Projects.Find("p1")!.CacheResets));
        Assert.Null(Stores.Projects.Find("p2"));
    }

    [Fact]
    public void Delete_and_clear_remove_projects()
    {
        Stores.Projects.Add(Project("p1", T0));
        Stores.Projects.Add(Project("p2", T0));
        Assert.True(Stores.Projects.Delete("p1"));
        Assert.False(Stores.Projects.Delete("p1"));
        Assert.Equal(["p2"], Stores.Projects.All().Select(p => p.Id));
        Stores.Projects.Clear();
        Assert.Empty(Stores.Projects.All());
    }
}

public sealed class MemoryProjectStoreTests : ProjectStoreConformance<MemoryStores>;

public sealed class SqliteProjectStoreTests : ProjectStoreConformance<SqliteStores>;
