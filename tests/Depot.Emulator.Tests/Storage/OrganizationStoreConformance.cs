using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Tests.Storage;

public abstract class OrganizationStoreConformance<TStores> : StoreConformance<TStores>
    where TStores : StoreImplementation, new()
{
    [Fact]
    public void Organizations_are_found_by_id_and_listed_oldest_first()
    {
        Assert.True(Stores.Organizations.Add(new Organization("org-b", "B", T0.AddSeconds(1))));
        Assert.True(Stores.Organizations.Add(new Organization("org-a", "A", T0.AddSeconds(1))));
        Assert.True(Stores.Organizations.Add(new Organization("org-c", "C", T0)));
        Assert.False(Stores.Organizations.Add(new Organization("org-a", "again", T0)));
        Reopen();
        Assert.Equal(new Organization("org-a", "A", T0.AddSeconds(1)), Stores.Organizations.Find("org-a"));
        Assert.Null(Stores.Organizations.Find("org-z"));
        Assert.Equal(["org-c", "org-a", "org-b"], Stores.Organizations.All().Select(o => o.Id));
    }

    [Fact]
    public void Users_keep_their_memberships_in_order()
    {
        Stores.Organizations.Add(new Organization("org-a", "A", T0));
        Stores.Organizations.Add(new Organization("org-b", "B", T0));
        Assert.True(Stores.Organizations.AddUser(new User("user-z", "Zed", "z@example.com", ["org-b", "org-a"])));
        Assert.True(Stores.Organizations.AddUser(new User("user-a", "Ada", "a@example.com", [])));
        Assert.False(Stores.Organizations.AddUser(new User("user-a", "Other", "o@example.com", ["org-a"])));
        Reopen();
        var zed = Stores.Organizations.FindUser("user-z")!;
        Assert.Equal(("Zed", "z@example.com"), (zed.Name, zed.Email));
        Assert.Equal(["org-b", "org-a"], zed.OrganizationIds);
        Assert.Empty(Stores.Organizations.FindUser("user-a")!.OrganizationIds);
        Assert.Equal(["user-a", "user-z"], Stores.Organizations.Users().Select(u => u.Id));
        Assert.Null(Stores.Organizations.FindUser("user-q"));
    }

    [Fact]
    public void Clear_forgets_organizations_and_users()
    {
        Stores.Organizations.Add(new Organization("org-a", "A", T0));
        Stores.Organizations.AddUser(new User("user-a", "Ada", "a@example.com", ["org-a"]));
        Stores.Organizations.Clear();
        Assert.Empty(Stores.Organizations.All());
        Assert.Empty(Stores.Organizations.Users());
        Assert.True(Stores.Organizations.AddUser(new User("user-a", "Ada", "a@example.com", ["org-a"])));
    }
}

public sealed class MemoryOrganizationStoreTests : OrganizationStoreConformance<MemoryStores>;

public sealed class SqliteOrganizationStoreTests : OrganizationStoreConformance<SqliteStores>;
