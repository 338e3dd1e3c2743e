using Depot.Emulator.Domain.Matrix;

namespace Depot.Emulator.Tests.Unit;

public class PermissionMatrixTests
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();

    /// <summary>Depot's authentication page, cell by cell (build and trust-relationship per matrix.md).</summary>
    public static TheoryData<string, TokenType, Grant> Seed => new()
    {
        { "container-builds", TokenType.User, Grant.Allow },
        { "container-builds", TokenType.Organization, Grant.Allow },
        { "container-builds", TokenType.Project, Grant.Scoped },
        { "container-builds", TokenType.Pull, Grant.Deny },
        { "container-builds", TokenType.Build, Grant.Scoped },
        { "container-builds", TokenType.TrustRelationship, Grant.Scoped },
        { "registry", TokenType.User, Grant.Allow },
        { "registry", TokenType.Organization, Grant.Allow },
        { "registry", TokenType.Project, Grant.Scoped },
        { "registry", TokenType.Pull, Grant.ReadOnly },
        { "registry", TokenType.Build, Grant.Scoped },
        { "registry", TokenType.TrustRelationship, Grant.Scoped },
        { "depot-ci", TokenType.User, Grant.Allow },
        { "depot-ci", TokenType.Organization, Grant.Allow },
        { "depot-ci", TokenType.Project, Grant.Deny },
        { "depot-ci", TokenType.Pull, Grant.Deny },
        { "cache", TokenType.User, Grant.Allow },
        { "cache", TokenType.Organization, Grant.Allow },
        { "cache", TokenType.Project, Grant.Deny },
        { "cache", TokenType.Pull, Grant.Deny },
        { "agents", TokenType.User, Grant.Allow },
        { "agents", TokenType.Organization, Grant.Allow },
        { "agents", TokenType.Project, Grant.Deny },
        { "agents", TokenType.Pull, Grant.Deny },
        { "api", TokenType.User, Grant.Allow },
        { "api", TokenType.Organization, Grant.Allow },
        { "api", TokenType.Project, Grant.Deny },
        { "api", TokenType.Pull, Grant.Deny },
        { "api", TokenType.Build, Grant.Deny },
        { "api", TokenType.TrustRelationship, Grant.Deny },
    };

    [Theory]
    [MemberData(nameof(Seed))]
    public void Grants_follow_the_authentication_page(string service, TokenType type, Grant expected) =>
        Assert.Equal(expected, Matrix.GrantFor(type, Matrix.Service(service)));

    [Fact]
    public void Trust_relationship_tokens_have_exactly_the_permissions_of_project_tokens()
    {
        foreach (var service in Matrix.Services)
        {
            Assert.Equal(Matrix.GrantFor(TokenType.Project, service), Matrix.GrantFor(TokenType.TrustRelationship, service));
        }
    }

    [Fact]
    public void Pull_tokens_may_read_the_registry_but_never_write()
    {
        var read = new OperationInfo("registry:pull", Matrix.Service("registry"), Access.Read);
        var write = new OperationInfo("registry:push", Matrix.Service("registry"), Access.Write);
        Assert.True(Matrix.Decide(TokenType.Pull, read).IsAllowed);
        var denied = Matrix.Decide(TokenType.Pull, write);
        Assert.False(denied.IsAllowed);
        Assert.Equal(
            "pull tokens grant read-only Registry access; registry:push needs write access, which Registry grants to " +
            "user, organization, project, build and trust-relationship tokens",
            denied.Reason);
    }

    [Fact]
    public void A_denial_names_the_token_type_the_service_and_who_would_be_allowed()
    {
        var decision = Matrix.Decide(TokenType.Project, Matrix.Operation("depot.core.v1.ProjectService/ListProjects"));
        Assert.False(decision.IsAllowed);
        Assert.Equal("project tokens cannot use the API service; API accepts user and organization tokens", decision.Reason);
    }

    [Fact]
    public void Operations_without_a_service_need_no_token()
    {
        var login = Matrix.Operation("depot.cli.v1beta1.LoginService/StartLogin");
        Assert.False(login.Service.RequiresToken);
        Assert.All(TokenTypes.All, t => Assert.True(Matrix.Decide(t, login).IsAllowed));
    }

    [Fact]
    public void A_grant_the_loader_does_not_know_fails_loudly()
    {
        const string permissions = "services:\n  api:\n    grants: {user: maybe, organization: allow, project: deny, pull: deny, build: deny, trust-relationship: deny}\n";
        var e = Assert.Throws<InvalidDataException>(() => PermissionMatrix.Parse(permissions, "{}"));
        Assert.Contains("maybe", e.Message);
    }

    [Fact]
    public void A_service_missing_a_token_type_fails_loudly()
    {
        const string permissions = "services:\n  api:\n    grants: {user: allow}\n";
        var e = Assert.Throws<InvalidDataException>(() => PermissionMatrix.Parse(permissions, "{}"));
        Assert.Contains("organization", e.Message);
    }

    [Fact]
    public void An_operation_naming_an_unknown_service_fails_loudly()
    {
        const string permissions = "services:\n  api:\n    grants: {user: allow, organization: allow, project: deny, pull: deny, build: deny, trust-relationship: deny}\n";
        var e = Assert.Throws<InvalidDataException>(() => PermissionMatrix.Parse(permissions, "x.Y/Z: {service: apii, access: read}\n"));
        Assert.Contains("apii", e.Message);
    }
}
