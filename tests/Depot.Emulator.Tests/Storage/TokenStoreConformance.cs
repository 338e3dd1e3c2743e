using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Tests.Storage;

public abstract class TokenStoreConformance<TStores> : StoreConformance<TStores>
    where TStores : StoreImplementation, new()
{
    private static TokenRecord Token(string id, TokenType type, string secret, DateTimeOffset at, DateTimeOffset? expires = null, string? project = "p1") =>
        new(id, type, SecretHash.Of(secret), "for " + id, at, expires, null, "org-a", project, type == TokenType.Build ? "build-1" : null);

    [Fact]
    public void A_token_is_found_by_its_secrets_hash_and_by_id_never_by_the_secret()
    {
        var token = Token("tok-1", TokenType.Build, "s3cret", T0, T0.AddHours(1));
        Assert.True(Stores.Tokens.Add(token));
        Reopen();
        var found = Stores.Tokens.FindByHash(SecretHash.Of("s3cret"))!;
        Assert.Equal(("tok-1", TokenType.Build, "build-1", T0.AddHours(1)), (found.Id, found.Type, found.BuildId, found.ExpiresAt));
        Assert.Equal(token.SecretHash, found.SecretHash);
        Assert.Equal("tok-1", Stores.Tokens.Find("tok-1")!.Id);
        Assert.Null(Stores.Tokens.FindByHash(SecretHash.Of("other")));
        Assert.Null(Stores.Tokens.Find("tok-2"));
        Assert.DoesNotContain(Stores.Tokens.All(), t => t.Description.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public void A_taken_id_or_secret_is_refused()
    {
        Assert.True(Stores.Tokens.Add(Token("tok-1", TokenType.Project, "a", T0)));
        Assert.False(Stores.Tokens.Add(Token("tok-1", TokenType.Project, "b", T0)));
        Assert.False(Stores.Tokens.Add(Token("tok-2", TokenType.Project, "a", T0)));
        Assert.Single(Stores.Tokens.All());
    }

    [Fact]
    public void Update_changes_the_record_but_never_its_hash()
    {
        Stores.Tokens.Add(Token("tok-1", TokenType.Project, "a", T0));
        Assert.True(Stores.Tokens.Update(Token("tok-1", TokenType.Project, "b", T0, T0.AddMinutes(5)) with { Description = "renamed" }));
        Assert.False(Stores.Tokens.Update(Token("tok-9", TokenType.Project, "c", T0)));
        Reopen();
        var found = Stores.Tokens.FindByHash(SecretHash.Of("a"))!;
        Assert.Equal(("renamed", T0.AddMinutes(5)), (found.Description, found.ExpiresAt));
        Assert.Null(Stores.Tokens.FindByHash(SecretHash.Of("b")));
    }

    [Fact]
    public void A_projects_tokens_of_one_type_list_oldest_first()
    {
        Stores.Tokens.Add(Token("tok-b", TokenType.Project, "1", T0));
        Stores.Tokens.Add(Token("tok-a", TokenType.Project, "2", T0));
        Stores.Tokens.Add(Token("tok-0", TokenType.Project, "3", T0.AddSeconds(1)));
        Stores.Tokens.Add(Token("tok-pull", TokenType.Pull, "4", T0, T0.AddHours(1)));
        Stores.Tokens.Add(Token("tok-other", TokenType.Project, "5", T0, project: "p2"));
        Assert.Equal(["tok-a", "tok-b", "tok-0"], Stores.Tokens.ForProject("p1", TokenType.Project).Select(t => t.Id));
        Assert.Equal(["tok-pull"], Stores.Tokens.ForProject("p1", TokenType.Pull).Select(t => t.Id));
    }

    [Fact]
    public void Deleting_a_token_or_its_project_makes_its_secret_unknown()
    {
        Stores.Tokens.Add(Token("tok-1", TokenType.Project, "a", T0));
        Stores.Tokens.Add(Token("tok-2", TokenType.Project, "b", T0));
        Stores.Tokens.Add(Token("tok-3", TokenType.Project, "c", T0, project: "p2"));
        Assert.True(Stores.Tokens.Delete("tok-1"));
        Assert.False(Stores.Tokens.Delete("tok-1"));
        Assert.Null(Stores.Tokens.FindByHash(SecretHash.Of("a")));
        Stores.Tokens.DeleteProject("p1");
        Assert.Null(Stores.Tokens.FindByHash(SecretHash.Of("b")));
        Assert.Equal(["tok-3"], Stores.Tokens.All().Select(t => t.Id));
        Assert.True(Stores.Tokens.Add(Token("tok-1", TokenType.Project, "a", T0)));
    }

    [Fact]
    public void Eviction_takes_only_pull_tokens_expired_by_the_cutoff()
    {
        Stores.Tokens.Add(Token("pull-old", TokenType.Pull, "1", T0, T0.AddMinutes(10)));
        Stores.Tokens.Add(Token("pull-edge", TokenType.Pull, "2", T0, T0.AddMinutes(20)));
        Stores.Tokens.Add(Token("pull-new", TokenType.Pull, "3", T0, T0.AddMinutes(30)));
        Stores.Tokens.Add(Token("build-old", TokenType.Build, "4", T0, T0.AddMinutes(1)));
        Stores.Tokens.Add(Token("project", TokenType.Project, "5", T0));
        Assert.Equal(2, Stores.Tokens.EvictPullTokens(T0.AddMinutes(20)));
        Assert.Equal(0, Stores.Tokens.EvictPullTokens(T0.AddMinutes(20)));
        Assert.Equal(["build-old", "project", "pull-new"], Stores.Tokens.All().Select(t => t.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Eviction_follows_an_updated_expiry()
    {
        Stores.Tokens.Add(Token("pull", TokenType.Pull, "1", T0, T0.AddMinutes(10)));
        Stores.Tokens.Update(Token("pull", TokenType.Pull, "1", T0, T0.AddHours(2)));
        Assert.Equal(0, Stores.Tokens.EvictPullTokens(T0.AddHours(1)));
        Assert.NotNull(Stores.Tokens.Find("pull"));
        Stores.Tokens.Clear();
        Assert.Empty(Stores.Tokens.All());
    }
}

public sealed class MemoryTokenStoreTests : TokenStoreConformance<MemoryStores>;

public sealed class SqliteTokenStoreTests : TokenStoreConformance<SqliteStores>;
