using System.Net.Http.Json;
using System.Text.Json;
using Depot.Cli.V1;
using Depot.Core.V1;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Host;

public class EnforcementModeTests
{
    [Fact]
    public async Task Soft_mode_allows_and_records_what_enforce_would_deny()
    {
        await using var emulator = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--enforcement", "soft");
        var result = await emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects",
            new ListProjectsRequest(), TestSeeds.Secret(TokenType.Project));
        Assert.Equal(200, result.Status);
        Assert.Equal(["proj-web"], result.Ok.Projects.Select(p => p.ProjectId));

        var entry = await LastEntryAsync(emulator);
        Assert.Equal("would-deny", entry.GetProperty("decision").GetString());
        Assert.Equal("project tokens cannot use the API service; API accepts user and organization tokens",
            entry.GetProperty("wouldDeny")[0].GetString());
    }

    [Fact]
    public async Task Soft_mode_records_scope_violations_too()
    {
        await using var emulator = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--enforcement", "soft");
        var result = await emulator.Connect.CallAsync<GetPullTokenResponse>("depot.cli.v1.BuildService/GetPullToken",
            new GetPullTokenRequest { ProjectId = "proj-api" }, TestSeeds.Secret(TokenType.Project));
        Assert.Equal(200, result.Status);
        var entry = await LastEntryAsync(emulator);
        Assert.Contains("does not reach project proj-api", entry.GetProperty("wouldDeny")[0].GetString());
    }

    [Fact]
    public async Task Off_mode_lets_an_anonymous_caller_reach_everything()
    {
        await using var emulator = await InMemoryEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--enforcement", "off");
        var result = await emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects", new ListProjectsRequest());
        Assert.Equal(["proj-web", "proj-api", "proj-ops"], result.Ok.Projects.Select(p => p.ProjectId));
        Assert.Equal("anonymous", (await LastEntryAsync(emulator)).GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Enforce_is_the_default()
    {
        await using var emulator = await InMemoryEmulator.StartAsync();
        var result = await emulator.Connect.CallAsync<ListProjectsResponse>("depot.core.v1.ProjectService/ListProjects", new ListProjectsRequest());
        Assert.Equal("unauthenticated", result.Code);
    }

    private static async Task<JsonElement> LastEntryAsync(InMemoryEmulator emulator)
    {
        var journal = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/journal?limit=1");
        return journal.GetProperty("entries")[0];
    }
}
