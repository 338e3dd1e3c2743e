using System.Text.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;
using Grpc.Net.Client;
using Moby.BuildKit.V1;

namespace Depot.Emulator.Tests.Clients;

/// <summary>@depot/sdk-node's build flow against the emulator, and the SDK reading a CLI build's steps and logs.</summary>
public class SdkBuildTests
{
    [Fact]
    public async Task Create_get_endpoint_report_health_and_finish_through_the_sdk()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var script = Path.Combine(RealClients.TestsDirectory, "clients", "sdk-build-flow.mjs");

        var run = await RealClients.RunAsync("node", [script, TestSeeds.Secret(TokenType.Organization), "proj-web"],
            new Dictionary<string, string?> { ["DEPOT_API_URL"] = emulator.Url }, TimeSpan.FromSeconds(60));

        Assert.True(run.ExitCode == 0, run.Output);
        using var output = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        var buildId = output.RootElement.GetProperty("buildId").GetString()!;
        var connections = output.RootElement.GetProperty("connections");
        Assert.Equal("pending", connections[0].GetString());
        Assert.Equal("active", connections[1].GetString());
        var endpoint = connections[2].GetProperty("endpoint").GetString()!;
        Assert.Equal("tcp://" + new Uri(emulator.Url).Authority, endpoint);
        var listed = output.RootElement.GetProperty("builds").EnumerateArray().Single(b => b.GetProperty("buildId").GetString() == buildId);
        Assert.Equal("STATUS_SUCCESS", listed.GetProperty("status").GetString());

        // The endpoint is a BuildKit an SDK user's own BuildKit client can drive.
        using var channel = GrpcChannel.ForAddress("http://" + endpoint["tcp://".Length..]);
        var workers = await new Control.ControlClient(channel).ListWorkersAsync(new ListWorkersRequest());
        Assert.Contains(workers.Record.Single().Platforms, p => p.OS == "linux" && p.Architecture == "amd64");

        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), "sdk-build-flow");
    }

    [Fact]
    public async Task The_sdk_reads_the_steps_and_logs_of_a_cli_build()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var build = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) },
            "build", "--progress", "plain", "--project", "proj-web", BuildContexts.Create());
        Assert.True(build.ExitCode == 0, build.Output);
        var buildId = emulator.Service<Domain.State.DepotState>().Builds("proj-web").First().Id;

        var steps = await RealClients.Sdk(emulator.Url, "depot.build.v1.BuildService", "getBuildSteps",
            new { projectId = "proj-web", buildId }, TestSeeds.Secret(TokenType.Organization));
        Assert.True(steps.GetProperty("ok").GetBoolean(), steps.ToString());
        var list = steps.GetProperty("response").GetProperty("buildSteps").EnumerateArray().ToList();
        Assert.Contains(list, s => s.GetProperty("name").GetString() == "[3/3] COPY . /app");
        var run = list.Single(s => s.GetProperty("name").GetString() == "[2/3] RUN echo hello");
        Assert.True(run.GetProperty("hasLogs").GetBoolean());

        var logs = await RealClients.Sdk(emulator.Url, "depot.build.v1.BuildService", "getBuildStepLogs",
            new { projectId = "proj-web", buildId, buildStepDigest = run.GetProperty("digest").GetString() }, TestSeeds.Secret(TokenType.Organization));
        Assert.True(logs.GetProperty("ok").GetBoolean(), logs.ToString());
        Assert.Equal(Depot.Emulator.BuildKit.Dockerfiles.DockerfileInterpreter.NotRunLog,
            logs.GetProperty("response").GetProperty("logs")[0].GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(TokenType.Project, "permission_denied")]
    [InlineData(TokenType.Pull, "permission_denied")]
    [InlineData(TokenType.User, null)]
    public async Task The_api_lists_builds_for_api_tokens_only(TokenType type, string? code)
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var result = await RealClients.Sdk(emulator.Url, "depot.core.v1.BuildService", "listBuilds", new { projectId = "proj-web" }, TestSeeds.Secret(type));
        if (code is null)
        {
            Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        }
        else
        {
            Assert.Equal(code, result.GetProperty("code").GetString());
            Assert.StartsWith($"{type.Name()} tokens cannot use the API service", result.GetProperty("message").GetString());
        }
    }
}
