using Depot.Cli.V1;
using Depot.Core.V1;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;
using CliProjects = Depot.Cli.V1Beta1;

namespace Depot.Emulator.Tests.Host;

/// <summary>Scoping rules of matrix.md: tokens reach only their own organizations, projects and builds.</summary>
public class ScopeTests : IAsyncLifetime
{
    private InMemoryEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private ConnectTestClient Connect => _emulator.Connect;

    [Theory]
    [InlineData(TokenType.Project, "proj-api")]
    [InlineData(TokenType.Project, "proj-ops")]
    [InlineData(TokenType.Project, "proj-does-not-exist")]
    [InlineData(TokenType.TrustRelationship, "proj-api")]
    [InlineData(TokenType.Build, "proj-api")]
    public async Task A_token_outside_its_scope_is_permission_denied_without_learning_about_the_target(TokenType type, string project)
    {
        var result = await Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = project }, TestSeeds.Secret(type));

        Assert.Equal("permission_denied", result.Code);
        Assert.Contains($"{type.Name()} token is scoped to", result.Message);
        Assert.DoesNotContain("Globex", result.Message);
    }

    [Theory]
    [InlineData("test-org-acme", "proj-ops")]
    [InlineData("test-user-bob", "proj-web")]
    public async Task Another_organizations_project_answers_exactly_as_one_that_does_not_exist(string secret, string foreignProject)
    {
        var foreign = await Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = foreignProject }, secret);
        var missing = await Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-nope" }, secret);

        Assert.Equal("not_found", foreign.Code);
        Assert.Equal((missing.Status, missing.Code), (foreign.Status, foreign.Code));
        Assert.Equal(missing.Message!.Replace("proj-nope", "ID"), foreign.Message!.Replace(foreignProject, "ID"));
    }

    [Fact]
    public async Task An_organization_token_asking_for_a_project_that_does_not_exist_gets_not_found()
    {
        var result = await Connect.CallAsync<GetProjectResponse>("depot.core.v1.ProjectService/GetProject",
            new GetProjectRequest { ProjectId = "proj-nope" }, TestSeeds.Secret(TokenType.Organization));
        Assert.Equal("not_found", result.Code);
        Assert.Equal("project proj-nope not found", result.Message);
    }

    [Fact]
    public async Task A_user_token_lists_projects_of_every_organization_of_its_user_unless_x_depot_org_narrows()
    {
        var all = await Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects",
            new ListProjectsRequest(), TestSeeds.Secret(TokenType.User));
        Assert.Equal(["proj-web", "proj-api", "proj-ops"], all.Ok.Projects.Select(p => p.ProjectId));

        var globex = await Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects",
            new ListProjectsRequest(), TestSeeds.Secret(TokenType.User), new Dictionary<string, string> { ["x-depot-org"] = "org-globex" });
        Assert.Equal(["proj-ops"], globex.Ok.Projects.Select(p => p.ProjectId));
    }

    [Fact]
    public async Task An_organization_token_sees_only_its_organization()
    {
        var orgs = await Connect.CallAsync<ListOrganizationsResponse>("depot.core.v1.OrganizationService/ListOrganizations",
            new ListOrganizationsRequest(), TestSeeds.Secret(TokenType.Organization));
        Assert.Equal(["org-acme"], orgs.Ok.Organizations.Select(o => o.OrgId));

        var cli = await Connect.CallAsync<CliProjects.ListProjectsResponse>("depot.cli.v1beta1.ProjectsService/ListProjects",
            new CliProjects.ListProjectsRequest(), TestSeeds.Secret(TokenType.Organization));
        Assert.Equal(["proj-web", "proj-api"], cli.Ok.Projects.Select(p => p.Id));
        Assert.All(cli.Ok.Projects, p => Assert.Equal("Acme", p.OrgName));

        var other = await Connect.CallAsync<ListOrganizationsResponse>("depot.core.v1.OrganizationService/ListOrganizations",
            new ListOrganizationsRequest(), TestSeeds.Secret(TokenType.Organization), new Dictionary<string, string> { ["x-depot-org"] = "org-globex" });
        Assert.Equal("permission_denied", other.Code);
    }

    [Fact]
    public async Task A_project_token_mints_pull_tokens_for_its_own_project_without_naming_it()
    {
        var result = await Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "", BuildId = "" }, TestSeeds.Secret(TokenType.Project));
        Assert.StartsWith("depot_pull_", result.Ok.Token);

        var orgs = await Connect.CallAsync<GetProjectResponse>("depot.core.v1.ProjectService/GetProject",
            new GetProjectRequest { ProjectId = "proj-web" }, result.Ok.Token);
        Assert.Equal("permission_denied", orgs.Code);
    }

    [Fact]
    public async Task Creating_a_project_with_a_user_in_two_organizations_needs_the_organization()
    {
        var ambiguous = await Connect.CallAsync<CreateProjectResponse>("depot.core.v1.ProjectService/CreateProject",
            new CreateProjectRequest { Name = "new" }, TestSeeds.Secret(TokenType.User));
        Assert.Equal("invalid_argument", ambiguous.Code);
        Assert.Contains("org-acme, org-globex", ambiguous.Message);

        var created = await Connect.CallAsync<CreateProjectResponse>("depot.core.v1.ProjectService/CreateProject",
            new CreateProjectRequest { Name = "new", OrganizationId = "org-globex" }, TestSeeds.Secret(TokenType.User));
        Assert.Equal("org-globex", created.Ok.Project.OrganizationId);
        Assert.Equal(10, created.Ok.Project.ProjectId.Length);
    }

    [Fact]
    public async Task Project_tokens_are_listed_but_pull_tokens_never_are()
    {
        var org = TestSeeds.Secret(TokenType.Organization);
        var created = await Connect.CallAsync<CreateTokenResponse>("depot.core.v1.ProjectService/CreateToken",
            new CreateTokenRequest { ProjectId = "proj-web", Description = "deploy" }, org);
        Assert.StartsWith("depot_project_", created.Ok.Secret);

        var listed = await Connect.CallAsync<ListTokensResponse>("depot.core.v1.ProjectService/ListTokens",
            new ListTokensRequest { ProjectId = "proj-web" }, org);
        Assert.Equal(["tok-proj-web", created.Ok.TokenId], listed.Ok.Tokens.Select(t => t.TokenId));
        Assert.DoesNotContain(listed.Ok.Tokens, t => t.TokenId == "tok-pull-web");

        // The secret works once issued, and stops working once deleted.
        var ok = await Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest(), created.Ok.Secret);
        Assert.Equal(200, ok.Status);
        await Connect.CallAsync<DeleteTokenResponse>("depot.core.v1.ProjectService/DeleteToken",
            new DeleteTokenRequest { TokenId = created.Ok.TokenId }, org);
        var revoked = await Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest(), created.Ok.Secret);
        Assert.Equal("unauthenticated", revoked.Code);
    }

    [Fact]
    public async Task Tokens_of_another_organization_cannot_be_renamed_or_deleted()
    {
        var bob = "test-user-bob";
        var result = await Connect.CallAsync<DeleteTokenResponse>("depot.core.v1.ProjectService/DeleteToken",
            new DeleteTokenRequest { TokenId = "tok-proj-web" }, bob);
        Assert.Equal("not_found", result.Code);
        var unknown = await Connect.CallAsync<UpdateTokenResponse>("depot.core.v1.ProjectService/UpdateToken",
            new UpdateTokenRequest { TokenId = "tok-pull-web", Description = "x" }, TestSeeds.Secret(TokenType.Organization));
        Assert.Equal("not_found", unknown.Code);
    }

    [Fact]
    public async Task CircleCI_trust_policies_take_UUIDs_not_names()
    {
        var org = TestSeeds.Secret(TokenType.Organization);
        var named = await Connect.CallAsync<AddTrustPolicyResponse>("depot.core.v1.ProjectService/AddTrustPolicy",
            new AddTrustPolicyRequest { ProjectId = "proj-web", Circleci = new TrustPolicy.Types.CircleCI { OrganizationUuid = "acme", ProjectUuid = "web" } }, org);
        Assert.Equal("invalid_argument", named.Code);
        Assert.Contains("UUID", named.Message);

        var added = await Connect.CallAsync<AddTrustPolicyResponse>("depot.core.v1.ProjectService/AddTrustPolicy",
            new AddTrustPolicyRequest
            {
                ProjectId = "proj-web",
                Circleci = new TrustPolicy.Types.CircleCI { OrganizationUuid = "6f1c3a8e-0b7f-4c1e-9a51-2d3e4f5a6b7c", ProjectUuid = "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70" },
            }, org);
        var listed = await Connect.CallAsync<ListTrustPoliciesResponse>("depot.core.v1.ProjectService/ListTrustPolicies",
            new ListTrustPoliciesRequest { ProjectId = "proj-web" }, org);
        Assert.Equal(["tp-web-github", added.Ok.TrustPolicy.TrustPolicyId], listed.Ok.TrustPolicies.Select(p => p.TrustPolicyId));

        await Connect.CallAsync<RemoveTrustPolicyResponse>("depot.core.v1.ProjectService/RemoveTrustPolicy",
            new RemoveTrustPolicyRequest { ProjectId = "proj-web", TrustPolicyId = "tp-web-github" }, org);
        var after = await Connect.CallAsync<ListTrustPoliciesResponse>("depot.core.v1.ProjectService/ListTrustPolicies",
            new ListTrustPoliciesRequest { ProjectId = "proj-web" }, org);
        Assert.Equal([added.Ok.TrustPolicy.TrustPolicyId], after.Ok.TrustPolicies.Select(p => p.TrustPolicyId));
    }

    [Fact]
    public async Task Deleting_a_project_revokes_its_tokens()
    {
        await Connect.CallAsync<DeleteProjectResponse>("depot.core.v1.ProjectService/DeleteProject",
            new DeleteProjectRequest { ProjectId = "proj-web" }, TestSeeds.Secret(TokenType.Organization));
        var result = await Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest(), TestSeeds.Secret(TokenType.Project));
        Assert.Equal("unauthenticated", result.Code);
    }
}
