using System.Text.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>@depot/sdk-node's ProjectService and OrganizationService, over h2c, with each kind of API token.</summary>
public class SdkProjectServiceTests
{
    private const string Projects = "depot.core.v1.ProjectService";

    [Theory]
    [InlineData(TokenType.Organization)]
    [InlineData(TokenType.User)]
    public async Task Every_project_service_rpc_works_for_api_tokens(TokenType type)
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "5");
        var token = TestSeeds.Secret(type);
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        async Task<JsonElement> Call(string method, object request)
        {
            var result = await RealClients.Sdk(emulator.Url, Projects, method, request, token);
            Assert.True(result.GetProperty("ok").GetBoolean(), $"{method}: {result}");
            return result.GetProperty("response");
        }

        var listed = await Call("listProjects", new { });
        Assert.Contains("proj-web", listed.ToString());

        var created = await Call("createProject", new { name = "sdk", organizationId = "org-acme", regionId = "eu-central-1", cachePolicy = new { keepGb = 20, keepDays = 7 } });
        var id = created.GetProperty("project").GetProperty("projectId").GetString()!;
        Assert.Equal("eu-central-1", created.GetProperty("project").GetProperty("regionId").GetString());

        var got = await Call("getProject", new { projectId = id });
        Assert.Equal(20, got.GetProperty("project").GetProperty("cachePolicy").GetProperty("keepGb").GetInt32());

        var updated = await Call("updateProject", new { projectId = id, name = "sdk-renamed", hardware = 4 /* HARDWARE_8X16 */ });
        Assert.Equal("sdk-renamed", updated.GetProperty("project").GetProperty("name").GetString());
        Assert.Equal("HARDWARE_8X16", updated.GetProperty("project").GetProperty("hardware").GetString());

        await Call("resetProject", new { projectId = id });

        var policy = await Call("addTrustPolicy", new { projectId = id, provider = new { @case = "github", value = new { repositoryOwner = "acme", repository = "sdk" } } });
        var policyId = policy.GetProperty("trustPolicy").GetProperty("trustPolicyId").GetString();
        var buildkite = await Call("addTrustPolicy", new { projectId = id, provider = new { @case = "buildkite", value = new { organizationSlug = "acme", pipelineSlug = "deploy" } } });
        var policies = await Call("listTrustPolicies", new { projectId = id });
        Assert.Equal(2, policies.GetProperty("trustPolicies").GetArrayLength());
        await Call("removeTrustPolicy", new { projectId = id, trustPolicyId = policyId });
        Assert.Single((await Call("listTrustPolicies", new { projectId = id })).GetProperty("trustPolicies").EnumerateArray());
        Assert.Equal("deploy", buildkite.GetProperty("trustPolicy").GetProperty("buildkite").GetProperty("pipelineSlug").GetString());

        var tokenCreated = await Call("createToken", new { projectId = id, description = "deploy" });
        var tokenId = tokenCreated.GetProperty("tokenId").GetString();
        Assert.StartsWith("depot_project_", tokenCreated.GetProperty("secret").GetString());
        await Call("updateToken", new { tokenId, description = "deploy (renamed)" });
        var tokens = await Call("listTokens", new { projectId = id });
        Assert.Equal("deploy (renamed)", tokens.GetProperty("tokens")[0].GetProperty("description").GetString());
        await Call("deleteToken", new { tokenId });
        Assert.False((await Call("listTokens", new { projectId = id })).TryGetProperty("tokens", out _));

        await Call("deleteProject", new { projectId = id });
        var gone = await RealClients.Sdk(emulator.Url, Projects, "getProject", new { projectId = id }, token);
        Assert.Equal("not_found", gone.GetProperty("code").GetString());

        var orgs = await RealClients.Sdk(emulator.Url, "depot.core.v1.OrganizationService", "listOrganizations", new { }, token);
        Assert.Contains("org-acme", orgs.ToString());

        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), $"project-service.{type.Name()}");
    }

    [Fact]
    public async Task A_project_token_is_refused_by_every_project_service_rpc()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var token = TestSeeds.Secret(TokenType.Project);
        foreach (var (method, request) in new (string, object)[]
                 {
                     ("listProjects", new { }), ("getProject", new { projectId = "proj-web" }), ("createProject", new { name = "x" }),
                     ("updateProject", new { projectId = "proj-web", name = "y" }), ("deleteProject", new { projectId = "proj-web" }),
                     ("resetProject", new { projectId = "proj-web" }), ("listTrustPolicies", new { projectId = "proj-web" }),
                     ("addTrustPolicy", new { projectId = "proj-web", provider = new { @case = "github", value = new { repositoryOwner = "a", repository = "b" } } }),
                     ("removeTrustPolicy", new { projectId = "proj-web", trustPolicyId = "tp-web-github" }),
                     ("listTokens", new { projectId = "proj-web" }), ("createToken", new { projectId = "proj-web", description = "d" }),
                     ("updateToken", new { tokenId = "tok-proj-web", description = "d" }), ("deleteToken", new { tokenId = "tok-proj-web" }),
                 })
        {
            var result = await RealClients.Sdk(emulator.Url, Projects, method, request, token);
            Assert.False(result.GetProperty("ok").GetBoolean(), method);
            Assert.Equal("permission_denied", result.GetProperty("code").GetString());
            Assert.Equal("project tokens cannot use the API service; API accepts user and organization tokens", result.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Bad_input_gets_invalid_argument_and_changes_nothing()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var token = TestSeeds.Secret(TokenType.Organization);
        var noName = await RealClients.Sdk(emulator.Url, Projects, "createProject", new { name = "" }, token);
        Assert.Equal("invalid_argument", noName.GetProperty("code").GetString());
        var badRegion = await RealClients.Sdk(emulator.Url, Projects, "createProject", new { name = "x", regionId = "mars-1" }, token);
        Assert.Equal("invalid_argument", badRegion.GetProperty("code").GetString());
        Assert.Contains("mars-1", badRegion.GetProperty("message").GetString());
        var noProvider = await RealClients.Sdk(emulator.Url, Projects, "addTrustPolicy", new { projectId = "proj-web" }, token);
        Assert.Equal("invalid_argument", noProvider.GetProperty("code").GetString());

        var listed = await RealClients.Sdk(emulator.Url, Projects, "listProjects", new { }, token);
        Assert.Equal(2, listed.GetProperty("response").GetProperty("projects").GetArrayLength());
    }
}
