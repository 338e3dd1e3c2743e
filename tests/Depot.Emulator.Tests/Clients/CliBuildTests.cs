using System.Net.Http.Json;
using System.Text.Json;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Tests.Oidc;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>
/// <c>depot build</c> with the real CLI against the emulator and its built-in BuildKit: success, failure,
/// cancellation, the cache, the DEPOT_BUILD_ID hand-off and the matrix. Exchanges are pinned as snapshots,
/// less the health reports and status batches, whose number depends on timing.
/// </summary>
public class CliBuildTests
{
    private static readonly string[] Timed = ["depot.cli.v1.BuildService/ReportBuildHealth", "depot.cli.v1.BuildService/ReportStatusStream"];

    private static Dictionary<string, string?> Token(string secret) => new() { ["DEPOT_TOKEN"] = secret };

    private static Task<ProcessResult> Build(LoopbackEmulator emulator, string context, string token, params string[] args) =>
        RealClients.Depot(emulator.Url, RealClients.TempHome(), Token(token), ["build", "--progress", "plain", .. args, context]);

    private static Build OnlyBuild(LoopbackEmulator emulator, string project = "proj-web") =>
        emulator.Service<DepotState>().Builds(project).First(b => b.Origin == BuildOrigin.Cli);

    [Fact]
    public async Task Depot_build_shows_the_dockerfiles_steps_and_records_success()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var result = await Build(emulator, BuildContexts.Create(), TestSeeds.Secret(TokenType.Project), "--project", "proj-web");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("[internal] load build definition from Dockerfile", result.Output);
        Assert.Contains("[1/3] FROM docker.io/library/alpine:3.19@sha256:", result.Output);
        Assert.Contains("[2/3] RUN echo hello", result.Output);
        Assert.Contains("[3/3] COPY . /app", result.Output);
        Assert.DoesNotContain("CACHED", result.Output);

        var build = OnlyBuild(emulator);
        Assert.Equal(BuildState.Succeeded, build.State);
        var state = emulator.Service<DepotState>();
        Assert.Equal(BuildContexts.ThreeSteps, state.Dockerfiles(build.Id).Single().Contents);
        var steps = state.Progress(build.Id).Steps().Select(s => s.Name).ToList();
        Assert.Contains("[2/3] RUN echo hello", steps);
        Assert.Contains("[3/3] COPY . /app", steps);
        Assert.True(state.Progress(build.Id).Steps().All(s => s.Completed is not null && s.Error is null));

        var exchanges = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark, Timed);
        Assert.Equal(
            ["depot.cli.v1.BuildService/CreateBuild", "depot.cli.v1.BuildService/GetBuildKitConnection",
             "depot.cli.v1.BuildService/GetBuildKitConnection", "depot.cli.v1.BuildService/FinishBuild"],
            exchanges.Select(e => e!["operation"]!.GetValue<string>()));
        ExchangeSnapshots.Match(exchanges, "build-success");
    }

    [Fact]
    public async Task A_scripted_failure_fails_the_cli_and_is_recorded()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        const string message = "process \"/bin/sh -c echo hello\" did not complete successfully: exit code: 2";

        var result = await Build(emulator, BuildContexts.Create(), TestSeeds.Secret(TokenType.Project),
            "--project", "proj-web", "--build-arg", "DEPOT_EMULATOR_FAIL=" + message);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(" ERROR: " + message, result.Output);
        Assert.Contains("failed to solve: " + message, result.Output);
        var build = OnlyBuild(emulator);
        Assert.Equal(BuildState.Failed, build.State);
        Assert.Equal("failed to solve: " + message, build.Error);
        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark, Timed), "build-failure");
    }

    [Fact]
    public async Task A_dockerfile_error_is_reported_as_buildkit_words_it()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var result = await Build(emulator, BuildContexts.Create("FROM alpine\nFORM x\n"), TestSeeds.Secret(TokenType.Project), "--project", "proj-web");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("dockerfile parse error on line 2: unknown instruction: FORM", result.Output);
        Assert.Equal(BuildState.Failed, OnlyBuild(emulator).State);
    }

    [Fact]
    public async Task Ctrl_c_cancels_the_build_and_finish_build_says_so()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        using var cli = RealClients.StartDepot(emulator.Url, RealClients.TempHome(), Token(TestSeeds.Secret(TokenType.Project)),
            "build", "--progress", "plain", "--project", "proj-web", "--build-arg", "DEPOT_EMULATOR_DURATION=30s", BuildContexts.Create());

        var state = emulator.Service<DepotState>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!state.Builds("proj-web").Any(b => b.Origin == BuildOrigin.Cli && state.Progress(b.Id).Steps().Any(s => s.Name.StartsWith("[1/3]", StringComparison.Ordinal))))
        {
            Assert.True(DateTime.UtcNow < deadline, "the build never reached its first step");
            await Task.Delay(100);
        }

        cli.Interrupt();
        var result = await cli.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("cancel", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(BuildState.Canceled, OnlyBuild(emulator).State);
    }

    [Fact]
    public async Task A_rebuild_is_cached_until_the_project_cache_is_reset()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var context = BuildContexts.Create();
        var token = TestSeeds.Secret(TokenType.Project);

        var first = await Build(emulator, context, token, "--project", "proj-web");
        var second = await Build(emulator, context, token, "--project", "proj-web");
        var reset = await RealClients.Depot(emulator.Url, RealClients.TempHome(), Token(token), "cache", "reset", "--project", "proj-web");
        var third = await Build(emulator, context, token, "--project", "proj-web");
        File.WriteAllText(Path.Combine(context, "hello.txt"), "changed\n");
        var fourth = await Build(emulator, context, token, "--project", "proj-web");

        Assert.All(new[] { first, second, reset, third, fourth }, r => Assert.True(r.ExitCode == 0, r.Output));
        Assert.DoesNotContain("CACHED", first.Output);
        Assert.Equal(3, second.Output.Split("CACHED").Length - 1);
        Assert.DoesNotContain("CACHED", third.Output);
        // Changed context: the base and the RUN before the COPY stay cached, the COPY runs again.
        Assert.Equal(2, fourth.Output.Split("CACHED").Length - 1);
    }

    [Fact]
    public async Task Depot_bake_builds_every_target_of_the_bake_file()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var context = BuildContexts.Create("FROM alpine\nCOPY hello.txt /\n", ("hello.txt", "hi\n"), ("Dockerfile.tools", "FROM alpine\nRUN echo tools\n"));
        File.WriteAllText(Path.Combine(context, "docker-bake.hcl"), $$"""
            group "default" { targets = ["app", "tools"] }
            target "app" { context = "{{context}}" }
            target "tools" {
              context = "{{context}}"
              dockerfile = "Dockerfile.tools"
            }
            """);

        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(), Token(TestSeeds.Secret(TokenType.Project)),
            "bake", "--progress", "plain", "--project", "proj-web", "-f", Path.Combine(context, "docker-bake.hcl"));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("[app 2/2] COPY hello.txt /", result.Output);
        Assert.Contains("[tools 2/2] RUN echo tools", result.Output);
        var build = OnlyBuild(emulator);
        Assert.Equal(BuildState.Succeeded, build.State);
        Assert.Equal(["app", "tools"], build.Targets.Select(t => t.TargetName).Order());
        Assert.All(build.Targets, t => Assert.Equal("bake", t.Command));
        var state = emulator.Service<DepotState>();
        Assert.Equal(["Dockerfile", "Dockerfile.tools"], state.Dockerfiles(build.Id).Select(d => d.Filename).Order());
        var steps = state.Progress(build.Id).Steps().Select(s => s.Name).ToList();
        Assert.Contains("[2/2] COPY hello.txt /", steps);
        Assert.Contains("[2/2] RUN echo tools", steps);
    }

    [Fact]
    public async Task Depot_list_builds_shows_each_build_and_its_outcome()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var token = TestSeeds.Secret(TokenType.Project);
        var ok = await Build(emulator, BuildContexts.Create(), token, "--project", "proj-web");
        var failed = await Build(emulator, BuildContexts.Create(), token, "--project", "proj-web", "--build-arg", "DEPOT_EMULATOR_FAIL=boom");

        var list = await RealClients.Depot(emulator.Url, RealClients.TempHome(), Token(token), "list", "builds", "--project", "proj-web", "--output", "json");

        Assert.True(list.ExitCode == 0, list.Output);
        var builds = emulator.Service<DepotState>().Builds("proj-web").Where(b => b.Origin == BuildOrigin.Cli).ToList();
        Assert.Equal(2, builds.Count);
        using var json = JsonDocument.Parse(list.Stdout);
        var shown = json.RootElement.EnumerateArray().Select(b => (b.GetProperty("id").GetString(), b.GetProperty("status").GetString())).ToList();
        Assert.Contains((builds[0].Id, "failed"), shown);
        Assert.Contains((builds[1].Id, "finished"), shown);
        Assert.Equal(0, ok.ExitCode);
        Assert.NotEqual(0, failed.ExitCode);
    }

    [Fact]
    public async Task A_build_created_through_the_api_is_run_by_the_cli_with_its_build_token()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "1");
        var created = await RealClients.Sdk(emulator.Url, "depot.build.v1.BuildService", "createBuild", new { projectId = "proj-web" }, TestSeeds.Secret(TokenType.Organization));
        Assert.True(created.GetProperty("ok").GetBoolean(), created.ToString());
        var buildId = created.GetProperty("response").GetProperty("buildId").GetString()!;
        var buildToken = created.GetProperty("response").GetProperty("buildToken").GetString()!;
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = buildToken, ["DEPOT_BUILD_ID"] = buildId },
            "build", "--progress", "plain", BuildContexts.Create());

        Assert.True(result.ExitCode == 0, result.Output);
        var build = emulator.Service<DepotState>().FindBuild(buildId)!;
        Assert.Equal(BuildState.Succeeded, build.State);
        Assert.Equal(BuildOrigin.Api, build.Origin);
        var exchanges = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark, Timed);
        Assert.Equal("depot.cli.v1.BuildService/GetBuild", exchanges[0]!["operation"]!.GetValue<string>());
        Assert.All(exchanges, e => Assert.Equal("build", e!["tokenType"]!.GetValue<string>()));
        ExchangeSnapshots.Match(exchanges, "build-hand-off");
    }

    [Fact]
    public async Task Another_builds_token_cannot_take_a_build_over()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var other = emulator.Service<DepotState>().StartBuild("proj-web", BuildOrigin.Api, []);
        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Build), ["DEPOT_BUILD_ID"] = other.Build.Id },
            "build", "--progress", "plain", BuildContexts.Create());
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"permission_denied: build token is scoped to build build-web-1 of project proj-web; it does not reach build {other.Build.Id}", result.Output);
    }

    public static TheoryData<TokenType> TokenTypes() => new(Domain.Matrix.TokenTypes.All);

    [Theory]
    [MemberData(nameof(TokenTypes))]
    public async Task Each_token_type_gets_the_matrix_answer_for_depot_build(TokenType type)
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var result = await Build(emulator, BuildContexts.Create(), TestSeeds.Secret(type), "--project", "proj-web");

        var matrix = PermissionMatrix.Load();
        var decision = matrix.Decide(type, matrix.Operation("depot.cli.v1.BuildService/CreateBuild"));
        switch (type)
        {
            case TokenType.Build:
                Assert.True(decision.IsAllowed);
                Assert.NotEqual(0, result.ExitCode);
                Assert.Contains("permission_denied: build token is scoped to build build-web-1 of project proj-web; it cannot start other builds", result.Output);
                break;
            case var _ when decision.IsAllowed:
                Assert.True(result.ExitCode == 0, $"{type.Name()}: {result.Output}");
                Assert.Equal(BuildState.Succeeded, OnlyBuild(emulator).State);
                break;
            default:
                Assert.NotEqual(0, result.ExitCode);
                Assert.Contains("permission_denied: " + decision.Reason, result.Output);
                break;
        }
    }

    [Fact]
    public async Task A_project_token_builds_only_its_own_project()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var result = await Build(emulator, BuildContexts.Create(), TestSeeds.Secret(TokenType.Project), "--project", "proj-api");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("permission_denied: project token is scoped to project proj-web; it does not reach project proj-api", result.Output);
    }

    [Fact]
    public async Task A_ci_oidc_token_builds_as_a_project_token()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", OidcTestSupport.SeedPath);
        var env = await OidcTestSupport.CiEnvironmentAsync("github", emulator.Url, emulator.Http);

        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(), env, "build", "--progress", "plain", "--project", "proj-web", BuildContexts.Create());

        Assert.True(result.ExitCode == 0, result.Output);
        var journal = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/journal?operation=depot.cli.v1.BuildService/CreateBuild");
        Assert.Equal("trust-relationship", journal.GetProperty("entries")[0].GetProperty("tokenType").GetString());
        Assert.Equal(BuildState.Succeeded, OnlyBuild(emulator).State);
    }
}

/// <summary>With <c>--buildkit</c>, the CLI builds on the BuildKit named, here a second emulator's.</summary>
public class CliBuildKitPassthroughTests
{
    [Fact]
    public async Task The_cli_builds_on_the_buildkit_the_emulator_hands_out()
    {
        await using var builder = await LoopbackEmulator.StartAsync();
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--buildkit", "tcp://" + new Uri(builder.Url).Authority);

        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(),
            new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Project) },
            "build", "--progress", "plain", "--project", "proj-web", BuildContexts.Create());

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("[2/3] RUN echo hello", result.Output);
        Assert.Equal(BuildState.Succeeded, emulator.Service<DepotState>().Builds("proj-web").First(b => b.Origin == BuildOrigin.Cli).State);
        var served = await builder.Http.GetFromJsonAsync<JsonElement>("/_emulator/journal?limit=1000");
        Assert.Contains(served.GetProperty("entries").EnumerateArray(), e => e.GetProperty("path").GetString() == "/moby.buildkit.v1.Control/Solve");
        var own = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/journal?limit=1000");
        Assert.DoesNotContain(own.GetProperty("entries").EnumerateArray(), e => e.GetProperty("path").GetString()!.StartsWith("/moby.", StringComparison.Ordinal));
    }
}
