using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Tests.Registry;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>Real clients on either side of a restart of a <c>--data-dir</c> emulator: what they made, they find again.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("depot-restart-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<LoopbackEmulator> StartAsync() =>
        LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "3", "--data-dir", _dir);

    [Fact]
    public async Task A_saved_build_is_pulled_after_a_restart_with_a_pull_token_from_depot_pull_token()
    {
        var token = new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) };
        string buildId;
        await using (var before = await StartAsync())
        {
            var build = await RealClients.Depot(before.Url, RealClients.TempHome(), token,
                "build", "--progress", "plain", "--project", "proj-web", "--save", BuildContexts.Create("FROM alpine:3.19\nCOPY hello.txt /\n"));
            Assert.True(build.ExitCode == 0, build.Output);
            buildId = before.Service<DepotState>().Builds("proj-web").First(b => b.Origin == BuildOrigin.Cli).Id;
        }

        await using var after = await StartAsync();
        Assert.Equal(BuildState.Succeeded, after.Service<DepotState>().FindBuild(buildId)!.State);
        var mark = await ExchangeSnapshots.MarkAsync(after.Http);
        var pullToken = await RealClients.Depot(after.Url, RealClients.TempHome(), token, "pull-token", "--project", "proj-web", buildId);
        Assert.True(pullToken.ExitCode == 0, pullToken.Output);
        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(after.Http, mark), "pull-token");

        var registry = new Uri(after.Url).Authority;
        var layout = Skopeo.TempLayout();
        var pull = await Skopeo.PullAsync($"{registry}/proj-web:{buildId}", layout, "saved", pullToken.Stdout.Trim());
        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.Equal("hello\n", CliBuildExportTests.ReadImage(layout).Files["hello.txt"]);
    }

    [Fact]
    public async Task A_project_token_the_sdk_created_still_authenticates_after_a_restart()
    {
        var org = TestSeeds.Secret(TokenType.Organization);
        string secret;
        await using (var before = await StartAsync())
        {
            var created = await RealClients.Sdk(before.Url, "depot.core.v1.ProjectService", "createToken", new { projectId = "proj-web", description = "kept" }, org);
            Assert.True(created.GetProperty("ok").GetBoolean(), created.ToString());
            secret = created.GetProperty("response").GetProperty("secret").GetString()!;
        }

        await using var after = await StartAsync();
        var listed = await RealClients.Sdk(after.Url, "depot.core.v1.ProjectService", "listTokens", new { projectId = "proj-web" }, org);
        Assert.Contains("kept", listed.GetProperty("response").ToString());
        var builds = await RealClients.Depot(after.Url, RealClients.TempHome(), new Dictionary<string, string?> { ["DEPOT_TOKEN"] = secret },
            "list", "builds", "--project", "proj-web", "--output", "json");
        Assert.True(builds.ExitCode == 0, builds.Output);
        var refused = await RealClients.Depot(after.Url, RealClients.TempHome(), new Dictionary<string, string?> { ["DEPOT_TOKEN"] = secret + "x" },
            "list", "builds", "--project", "proj-web", "--output", "json");
        Assert.NotEqual(0, refused.ExitCode);
    }
}
