using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Depot.Cli.V1;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Moby.BuildKit.V1;
using CoreV1 = Depot.Core.V1;
using SdkV1 = Depot.Builds.V1;
using KitV1 = Depot.BuildKit.V1;

namespace Depot.Emulator.Tests.Host;

/// <summary>A build's life over the wire, as the CLI and the SDK drive it, against the in-memory host.</summary>
public class BuildLifecycleTests : IAsyncLifetime
{
    private InMemoryEmulator _emulator = null!;

    private ConnectTestClient Connect => _emulator.Connect;

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private async Task<CreateBuildResponse> CreateBuild(string token = "test-proj-web", string project = "proj-web", params BuildOptions[] options)
    {
        var request = new CreateBuildRequest { ProjectId = project, Options = { options.Length == 0 ? [new BuildOptions { Command = Command.Build }] : options } };
        return (await Connect.CallAsync<CreateBuildResponse>("depot.cli.v1.BuildService/CreateBuild", request, token)).Ok;
    }

    private Task<ConnectResult<TResponse>> Call<TResponse>(string procedure, IMessage request, string token)
        where TResponse : IMessage<TResponse>, new() => Connect.CallAsync<TResponse>(procedure, request, token);

    private Task AdvanceClock(double seconds) =>
        _emulator.Http.PostAsync("/_emulator/clock/advance", new StringContent($"{{\"seconds\": {seconds}}}", Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_build_gets_its_token_a_pending_builder_then_an_active_one()
    {
        var build = await CreateBuild();
        Assert.StartsWith("build_", build.BuildId);
        Assert.StartsWith("depot_build_", build.BuildToken);
        Assert.Equal("proj-web", build.ProjectId);
        Assert.Equal($"http://localhost/_emulator/builds/{build.BuildId}", build.BuildUrl);
        Assert.Empty(build.AdditionalTags);

        var connection = new GetBuildKitConnectionRequest { BuildId = build.BuildId, Platform = BuilderPlatform.Amd64 };
        var first = (await Call<GetBuildKitConnectionResponse>("depot.cli.v1.BuildService/GetBuildKitConnection", connection, build.BuildToken)).Ok;
        Assert.True(first.Pending.WaitMs > 0);

        var second = (await Call<GetBuildKitConnectionResponse>("depot.cli.v1.BuildService/GetBuildKitConnection", connection, build.BuildToken)).Ok;
        Assert.Equal("tcp://localhost", second.Active.Endpoint);
        Assert.Equal("", second.Active.Cert.Cert_);
        Assert.Equal("", second.Active.CaCert.Cert_);
        Assert.Equal(GetBuildKitConnectionResponse.Types.ActiveConnection.CompressorOneofCase.Identity, second.Active.CompressorCase);

        var health = (await Call<ReportBuildHealthResponse>("depot.cli.v1.BuildService/ReportBuildHealth",
            new ReportBuildHealthRequest { BuildId = build.BuildId, Platform = BuilderPlatform.Amd64 }, build.BuildToken)).Ok;
        Assert.Null(health.CancelsAt);
    }

    [Fact]
    public async Task Finishing_records_the_outcome_once_and_the_build_token_outlives_it_only_briefly()
    {
        var build = await CreateBuild();
        var finish = new FinishBuildRequest { BuildId = build.BuildId, Error = new FinishBuildRequest.Types.BuildError { Error = "failed to solve: boom" } };
        (await Call<FinishBuildResponse>("depot.cli.v1.BuildService/FinishBuild", finish, build.BuildToken)).Ok.ToString();

        var again = await Call<FinishBuildResponse>("depot.cli.v1.BuildService/FinishBuild",
            new FinishBuildRequest { BuildId = build.BuildId, Success = new() }, build.BuildToken);
        Assert.Equal("failed_precondition", again.Code);
        Assert.Equal($"build {build.BuildId} already finished (failed)", again.Message);

        var core = (await Call<CoreV1.GetBuildResponse>("depot.core.v1.BuildService/GetBuild",
            new CoreV1.GetBuildRequest { BuildId = build.BuildId }, "test-org-acme")).Ok.Build;
        Assert.Equal(CoreV1.Build.Types.Status.Failed, core.Status);
        Assert.NotNull(core.FinishedAt);

        Assert.Null((await Call<GetBuildResponse>("depot.cli.v1.BuildService/GetBuild", new GetBuildRequest { BuildId = build.BuildId }, build.BuildToken)).Code);
        await AdvanceClock(601);
        var late = await Call<GetBuildResponse>("depot.cli.v1.BuildService/GetBuild", new GetBuildRequest { BuildId = build.BuildId }, build.BuildToken);
        Assert.Equal("unauthenticated", late.Code);
        Assert.Contains("expired at", late.Message);
    }

    [Fact]
    public async Task Finishing_needs_a_result()
    {
        var build = await CreateBuild();
        var result = await Call<FinishBuildResponse>("depot.cli.v1.BuildService/FinishBuild", new FinishBuildRequest { BuildId = build.BuildId }, build.BuildToken);
        Assert.Equal("invalid_argument", result.Code);
        Assert.Equal("result (success, error or canceled) is required", result.Message);
    }

    [Fact]
    public async Task A_build_without_health_reports_for_five_minutes_expires()
    {
        var build = await CreateBuild();
        await AdvanceClock(299);
        (await Call<ReportBuildHealthResponse>("depot.cli.v1.BuildService/ReportBuildHealth",
            new ReportBuildHealthRequest { BuildId = build.BuildId }, build.BuildToken)).Ok.ToString();
        await AdvanceClock(299);
        var list = (await Call<ListBuildsResponse>("depot.cli.v1.BuildService/ListBuilds", new ListBuildsRequest { ProjectId = "proj-web" }, "test-proj-web")).Ok;
        Assert.Equal(BuildStatus.Running, list.Builds.Single(b => b.Id == build.BuildId).Status);

        await AdvanceClock(2);
        list = (await Call<ListBuildsResponse>("depot.cli.v1.BuildService/ListBuilds", new ListBuildsRequest { ProjectId = "proj-web" }, "test-proj-web")).Ok;
        Assert.Equal(BuildStatus.Failed, list.Builds.Single(b => b.Id == build.BuildId).Status);
        var core = (await Call<CoreV1.GetBuildResponse>("depot.core.v1.BuildService/GetBuild",
            new CoreV1.GetBuildRequest { BuildId = build.BuildId }, "test-org-acme")).Ok.Build;
        Assert.Equal(CoreV1.Build.Types.Status.Error, core.Status);

        var health = await Call<ReportBuildHealthResponse>("depot.cli.v1.BuildService/ReportBuildHealth",
            new ReportBuildHealthRequest { BuildId = build.BuildId }, build.BuildToken);
        Assert.Equal("failed_precondition", health.Code);
        Assert.Equal($"build {build.BuildId} is not running: it expired", health.Message);
    }

    [Fact]
    public async Task Cancelling_on_the_control_plane_shows_in_the_next_health_report()
    {
        var build = await CreateBuild();
        var cancel = await _emulator.Http.PostAsync($"/_emulator/builds/{build.BuildId}/cancel", null);
        Assert.True(cancel.IsSuccessStatusCode);

        var health = (await Call<ReportBuildHealthResponse>("depot.cli.v1.BuildService/ReportBuildHealth",
            new ReportBuildHealthRequest { BuildId = build.BuildId }, build.BuildToken)).Ok;
        Assert.NotNull(health.CancelsAt);
        Assert.True(health.CancelsAt.ToDateTimeOffset() <= _emulator.Service<TimeProvider>().GetUtcNow());
    }

    [Fact]
    public async Task A_build_token_reaches_its_own_build_only_and_starts_no_builds()
    {
        var mine = await CreateBuild();
        var other = await CreateBuild();

        var foreign = await Call<GetBuildResponse>("depot.cli.v1.BuildService/GetBuild", new GetBuildRequest { BuildId = other.BuildId }, mine.BuildToken);
        Assert.Equal("permission_denied", foreign.Code);
        Assert.Equal($"build token is scoped to build {mine.BuildId} of project proj-web; it does not reach build {other.BuildId}", foreign.Message);

        var create = await Connect.CallAsync<CreateBuildResponse>("depot.cli.v1.BuildService/CreateBuild", new CreateBuildRequest { ProjectId = "proj-web" }, mine.BuildToken);
        Assert.Equal("permission_denied", create.Code);
        Assert.Equal($"build token is scoped to build {mine.BuildId} of project proj-web; it cannot start other builds", create.Message);

        var list = (await Call<ListBuildsResponse>("depot.cli.v1.BuildService/ListBuilds", new ListBuildsRequest { ProjectId = "proj-web" }, mine.BuildToken)).Ok;
        Assert.Equal([mine.BuildId], list.Builds.Select(b => b.Id));
    }

    [Fact]
    public async Task Projects_decide_who_builds_where()
    {
        var unknown = await Connect.CallAsync<CreateBuildResponse>("depot.cli.v1.BuildService/CreateBuild", new CreateBuildRequest { ProjectId = "proj-nope" }, "test-org-acme");
        Assert.Equal("not_found", unknown.Code);
        Assert.Equal("project proj-nope not found", unknown.Message);

        var elsewhere = await Connect.CallAsync<CreateBuildResponse>("depot.cli.v1.BuildService/CreateBuild", new CreateBuildRequest { ProjectId = "proj-api" }, "test-proj-web");
        Assert.Equal("permission_denied", elsewhere.Code);

        var pull = await Connect.CallAsync<CreateBuildResponse>("depot.cli.v1.BuildService/CreateBuild", new CreateBuildRequest { ProjectId = "proj-web" }, "test-pull-web");
        Assert.Equal("permission_denied", pull.Code);
        Assert.StartsWith("pull tokens cannot use the Container Builds service", pull.Message);

        var otherOrg = await CreateBuild("test-user-ada", "proj-ops");
        var byAcme = await Call<GetBuildResponse>("depot.cli.v1.BuildService/GetBuild", new GetBuildRequest { BuildId = otherOrg.BuildId }, "test-org-acme");
        Assert.Equal("not_found", byAcme.Code); // another organization's build answers as one that does not exist
        Assert.Equal($"build {otherOrg.BuildId} not found", byAcme.Message);
    }

    [Fact]
    public async Task Builds_are_listed_newest_first_in_pages()
    {
        var first = await CreateBuild();
        await AdvanceClock(1);
        var second = await CreateBuild();
        await AdvanceClock(1);
        var third = await CreateBuild();

        var page = (await Call<ListBuildsResponse>("depot.cli.v1.BuildService/ListBuilds", new ListBuildsRequest { ProjectId = "proj-web", PageSize = 2 }, "test-proj-web")).Ok;
        Assert.Equal([third.BuildId, second.BuildId], page.Builds.Select(b => b.Id));
        var rest = (await Call<ListBuildsResponse>("depot.cli.v1.BuildService/ListBuilds",
            new ListBuildsRequest { ProjectId = "proj-web", PageSize = 2, PageToken = page.NextPageToken }, "test-proj-web")).Ok;
        Assert.Equal([first.BuildId, "build-web-1"], rest.Builds.Select(b => b.Id));
        Assert.Equal("", rest.NextPageToken);

        var core = (await Call<CoreV1.ListBuildsResponse>("depot.core.v1.BuildService/ListBuilds", new CoreV1.ListBuildsRequest { ProjectId = "proj-web" }, "test-user-ada")).Ok;
        Assert.Equal([third.BuildId, second.BuildId, first.BuildId, "build-web-1"], core.Builds.Select(b => b.BuildId));
        Assert.All(core.Builds, b => Assert.Equal(CoreV1.Build.Types.Status.Running, b.Status));

        var bad = await Call<ListBuildsResponse>("depot.cli.v1.BuildService/ListBuilds", new ListBuildsRequest { ProjectId = "proj-web", PageToken = "garbage" }, "test-proj-web");
        Assert.Equal("invalid_argument", bad.Code);
    }

    [Fact]
    public async Task Saving_hands_out_registry_tags_and_credentials_for_the_emulator()
    {
        var build = await CreateBuild(options: new BuildOptions { Command = Command.Build, Save = true, SaveTags = { "latest" } });
        Assert.Equal([$"localhost/proj-web:{build.BuildId}", "localhost/proj-web:latest"], build.AdditionalTags.Select(t => t.Tag_));
        Assert.All(build.AdditionalTags, t => Assert.True(t.Push));
        var credential = build.AdditionalCredentials.Single();
        Assert.Equal("localhost", credential.Host);
        Assert.Equal("x-token:" + build.BuildToken, Encoding.UTF8.GetString(Convert.FromBase64String(credential.Token)));

        var pull = (await Call<GetPullInfoResponse>("depot.cli.v1.BuildService/GetPullInfo", new GetPullInfoRequest { BuildId = build.BuildId }, build.BuildToken)).Ok;
        Assert.Equal($"localhost/proj-web:{build.BuildId}", pull.Reference);
        Assert.Equal("x-token", pull.Username);
        Assert.True(pull.Options.Single().Save);
        var asPull = await Call<CreateBuildResponse>("depot.cli.v1.BuildService/CreateBuild", new CreateBuildRequest { ProjectId = "proj-web" }, pull.Password);
        Assert.StartsWith("pull tokens cannot use the Container Builds service", asPull.Message);
    }

    [Fact]
    public async Task Status_reports_become_the_steps_and_logs_the_api_shows()
    {
        var created = (await Call<SdkV1.CreateBuildResponse>("depot.build.v1.BuildService/CreateBuild", new SdkV1.CreateBuildRequest { ProjectId = "proj-web" }, "test-org-acme")).Ok;
        var started = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var report = new ReportStatusStreamRequest
        {
            BuildId = created.BuildId,
            Statuses =
            {
                new StatusResponse { Vertexes = { new Vertex { Digest = "sha256:a", Name = "[1/2] FROM alpine", Started = started, Completed = started, Cached = true } } },
                new StatusResponse
                {
                    Vertexes = { new Vertex { Digest = "sha256:b", Name = "[2/2] RUN make", Started = started } },
                    Logs = { new VertexLog { Vertex = "sha256:b", Stream = 1, Timestamp = started, Msg = ByteString.CopyFromUtf8("compiling\nlinking\n") } },
                },
                new StatusResponse { Vertexes = { new Vertex { Digest = "sha256:b", Name = "[2/2] RUN make", Started = started, Completed = started, Error = "exit 2" } } },
            },
        };
        var stream = await Connect.StreamAsync("depot.cli.v1.BuildService/ReportStatusStream", [report], created.BuildToken);
        Assert.Single(stream.Ok<ReportStatusStreamResponse>());

        var steps = (await Call<SdkV1.GetBuildStepsResponse>("depot.build.v1.BuildService/GetBuildSteps",
            new SdkV1.GetBuildStepsRequest { ProjectId = "proj-web", BuildId = created.BuildId }, "test-org-acme")).Ok.BuildSteps;
        Assert.Equal(["[1/2] FROM alpine", "[2/2] RUN make"], steps.Select(s => s.Name));
        Assert.Equal(SdkV1.GetBuildStepsResponse.Types.BuildStep.Types.CacheState.Cached, steps[0].CacheState);
        Assert.False(steps[0].HasLogs);
        Assert.Equal("exit 2", steps[1].Error);
        Assert.True(steps[1].HasLogs);

        var logs = (await Call<SdkV1.GetBuildStepLogsResponse>("depot.build.v1.BuildService/GetBuildStepLogs",
            new SdkV1.GetBuildStepLogsRequest { ProjectId = "proj-web", BuildId = created.BuildId, BuildStepDigest = "sha256:b", PageSize = 1 }, "test-org-acme")).Ok;
        Assert.Equal(["compiling"], logs.Logs.Select(l => l.Message));
        Assert.True(logs.HasNextPageToken);

        var unknown = await Call<SdkV1.GetBuildStepLogsResponse>("depot.build.v1.BuildService/GetBuildStepLogs",
            new SdkV1.GetBuildStepLogsRequest { ProjectId = "proj-web", BuildId = created.BuildId, BuildStepDigest = "sha256:zzz" }, "test-org-acme");
        Assert.Equal("not_found", unknown.Code);

        using var page = new HttpRequestMessage(HttpMethod.Get, $"/_emulator/builds/{created.BuildId}") { Headers = { { "Accept", "text/html" } } };
        var html = await (await _emulator.Http.SendAsync(page)).Content.ReadAsStringAsync();
        Assert.Contains("<code>[2/2] RUN make</code>", html);
        Assert.Contains("<pre>compiling\nlinking</pre>", html);

        var wrongProject = await Call<SdkV1.GetBuildStepsResponse>("depot.build.v1.BuildService/GetBuildSteps",
            new SdkV1.GetBuildStepsRequest { ProjectId = "proj-api", BuildId = created.BuildId }, "test-org-acme");
        Assert.Equal("not_found", wrongProject.Code);
    }

    [Fact]
    public async Task The_sdk_endpoint_stream_is_pending_then_active_and_health_keeps_the_build()
    {
        var created = (await Call<SdkV1.CreateBuildResponse>("depot.build.v1.BuildService/CreateBuild", new SdkV1.CreateBuildRequest { ProjectId = "proj-web" }, "test-org-acme")).Ok;
        var endpoint = (await Connect.StreamAsync("depot.buildkit.v1.BuildKitService/GetEndpoint",
            [new KitV1.GetEndpointRequest { BuildId = created.BuildId, Platform = KitV1.Platform.Arm64 }], created.BuildToken)).Ok<KitV1.GetEndpointResponse>();
        Assert.Equal(KitV1.GetEndpointResponse.ConnectionOneofCase.Pending, endpoint[0].ConnectionCase);
        Assert.Equal("tcp://localhost", endpoint[^1].Active.Endpoint);
        Assert.NotNull(endpoint[^1].Active.Cert.Key);

        await AdvanceClock(200);
        var health = await Connect.StreamAsync("depot.buildkit.v1.BuildKitService/ReportHealth",
            [new KitV1.ReportHealthRequest { BuildId = created.BuildId }, new KitV1.ReportHealthRequest { BuildId = created.BuildId }], created.BuildToken);
        Assert.Single(health.Ok<KitV1.ReportHealthResponse>());
        await AdvanceClock(200);
        Assert.Null((await Call<KitV1.ReleaseEndpointResponse>("depot.buildkit.v1.BuildKitService/ReleaseEndpoint",
            new KitV1.ReleaseEndpointRequest { BuildId = created.BuildId, Platform = KitV1.Platform.Arm64 }, created.BuildToken)).Code);

        (await Call<SdkV1.FinishBuildResponse>("depot.build.v1.BuildService/FinishBuild",
            new SdkV1.FinishBuildRequest { BuildId = created.BuildId, Success = new() }, created.BuildToken)).Ok.ToString();
        var build = await _emulator.Http.GetFromJsonAsync<JsonElement>($"/_emulator/builds/{created.BuildId}");
        Assert.Equal("succeeded", build.GetProperty("build").GetProperty("status").GetString());
        Assert.Equal("api", build.GetProperty("build").GetProperty("origin").GetString());
    }

    [Fact]
    public async Task Pushes_are_recorded_against_their_build()
    {
        var build = await CreateBuild();
        var push = (await Call<StartPushResponse>("depot.cli.v1.PushService/StartPush", new StartPushRequest { BuildId = build.BuildId, Tag = "ghcr.io/acme/web:1" }, build.BuildToken)).Ok;
        Assert.StartsWith("push_", push.PushId);
        Assert.Null((await Call<FinishPushResponse>("depot.cli.v1.PushService/FinishPush", new FinishPushRequest { BuildId = build.BuildId, PushId = push.PushId }, build.BuildToken)).Code);
        var twice = await Call<FinishPushResponse>("depot.cli.v1.PushService/FinishPush", new FinishPushRequest { BuildId = build.BuildId, PushId = push.PushId }, build.BuildToken);
        Assert.Equal("failed_precondition", twice.Code);
        var unknown = await Call<FinishPushResponse>("depot.cli.v1.PushService/FinishPush", new FinishPushRequest { BuildId = build.BuildId, PushId = "push_nope" }, build.BuildToken);
        Assert.Equal("not_found", unknown.Code);
    }

    [Fact]
    public async Task Shared_builds_have_a_link_until_sharing_stops()
    {
        var build = await CreateBuild();
        var shared = (await Call<CoreV1.ShareBuildResponse>("depot.core.v1.BuildService/ShareBuild", new CoreV1.ShareBuildRequest { BuildId = build.BuildId }, "test-org-acme")).Ok;
        var path = new Uri(shared.ShareUrl).AbsolutePath;
        Assert.StartsWith("/_emulator/shared-builds/", path);
        Assert.True((await _emulator.Http.GetAsync(path)).IsSuccessStatusCode);

        (await Call<CoreV1.StopSharingBuildResponse>("depot.core.v1.BuildService/StopSharingBuild", new CoreV1.StopSharingBuildRequest { BuildId = build.BuildId }, "test-org-acme")).Ok.ToString();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _emulator.Http.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_seeded_build_token_continues_its_seeded_build()
    {
        var build = (await Call<GetBuildResponse>("depot.cli.v1.BuildService/GetBuild", new GetBuildRequest { BuildId = "build-web-1" }, TestSeeds.Secret(TokenType.Build))).Ok;
        Assert.Equal("proj-web", build.ProjectId);
        Assert.EndsWith("/_emulator/builds/build-web-1", build.BuildUrl);
    }
}
