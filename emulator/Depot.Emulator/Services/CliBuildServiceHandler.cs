using System.Text;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Cli.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Builds;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;
using DomainBuild = Depot.Emulator.Domain.Builds.Build;

namespace Depot.Emulator.Services;

/// <summary><c>depot.cli.v1.BuildService</c>: the build lifecycle <c>depot build</c> and <c>depot bake</c> drive, and pull tokens.</summary>
internal sealed class CliBuildServiceHandler(DepotState state, PublicUrls urls, BuilderEndpoints builders) : IConnectService
{
    /// <summary>How long the CLI is told to wait before asking for its builder again.</summary>
    public const int PendingWaitMs = 100;

    private static readonly ServiceDescriptor Service = BuildReflection.Descriptor.FindTypeByName<ServiceDescriptor>("BuildService");

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<CreateBuildRequest, CreateBuildResponse>(Method("CreateBuild"), CreateBuild)
        .Unary<GetBuildRequest, GetBuildResponse>(Method("GetBuild"), GetBuild)
        .Unary<FinishBuildRequest, FinishBuildResponse>(Method("FinishBuild"), FinishBuild)
        .Unary<GetBuildKitConnectionRequest, GetBuildKitConnectionResponse>(Method("GetBuildKitConnection"), GetBuildKitConnection)
        .Unary<ReportBuildHealthRequest, ReportBuildHealthResponse>(Method("ReportBuildHealth"), ReportBuildHealth)
        .Unary<ReportTimingsRequest, ReportTimingsResponse>(Method("ReportTimings"), ReportTimings)
        .Unary<ReportStatusRequest, ReportStatusResponse>(Method("ReportStatus"), ReportStatus)
        .ClientStreaming<ReportStatusStreamRequest, ReportStatusStreamResponse>(Method("ReportStatusStream"), ReportStatusStream)
        .Unary<ReportBuildContextRequest, ReportBuildContextResponse>(Method("ReportBuildContext"), ReportBuildContext)
        .Unary<ListBuildsRequest, ListBuildsResponse>(Method("ListBuilds"), ListBuilds)
        .Unary<GetPullInfoRequest, GetPullInfoResponse>(Method("GetPullInfo"), GetPullInfo)
        .Unary<GetPullTokenRequest, GetPullTokenResponse>(Method("GetPullToken"), GetPullToken);

    private Task<CreateBuildResponse> CreateBuild(CreateBuildRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProjectForNewBuild(request.HasProjectId ? request.ProjectId : null);
        var (build, token) = state.StartBuild(project.Id, BuildOrigin.Cli, request.Options.Select(o => o.ToDomain()).ToList());
        var response = new CreateBuildResponse
        {
            BuildId = build.Id,
            BuildToken = token,
            BuildUrl = BuildUrl(context, build),
            ProjectId = build.ProjectId,
            // --load pulls the saved build from the emulator's registry (GetPullInfo) instead of a proxy container.
            Registry = new Depot.Cli.V1.Registry { CanUseLocalRegistry = false, LoadUsingRegistry = true },
        };
        if (build.Saves)
        {
            // --save: the builder pushes to the emulator's registry with the build token.
            var registry = urls.Authority(context.HttpContext);
            response.AdditionalTags.Add(SavedTags(registry, build).Select(tag => new CreateBuildResponse.Types.Tag { Tag_ = tag, Push = true }));
            response.AdditionalCredentials.Add(new CreateBuildResponse.Types.Credential
            {
                Host = registry,
                Token = Convert.ToBase64String(Encoding.UTF8.GetBytes("x-token:" + token)),
            });
        }

        return Task.FromResult(response);
    }

    private Task<GetBuildResponse> GetBuild(GetBuildRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        return Task.FromResult(new GetBuildResponse { BuildId = build.Id, ProjectId = build.ProjectId, BuildUrl = BuildUrl(context, build) });
    }

    private Task<FinishBuildResponse> FinishBuild(FinishBuildRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        var (result, error) = request.ResultCase switch
        {
            FinishBuildRequest.ResultOneofCase.Success => (BuildState.Succeeded, null),
            FinishBuildRequest.ResultOneofCase.Error => (BuildState.Failed, request.Error.Error),
            FinishBuildRequest.ResultOneofCase.Canceled => (BuildState.Canceled, (string?)null),
            _ => throw DepotErrors.Required("result (success, error or canceled)"),
        };
        state.FinishBuild(build.Id, result, error);
        return Task.FromResult(new FinishBuildResponse());
    }

    private Task<GetBuildKitConnectionResponse> GetBuildKitConnection(GetBuildKitConnectionRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        if (!state.AcquireBuilder(build.Id, BuildMapping.PlatformName(request.Platform)))
        {
            return Task.FromResult(new GetBuildKitConnectionResponse
            {
                Pending = new GetBuildKitConnectionResponse.Types.PendingConnection { WaitMs = PendingWaitMs },
            });
        }

        // Both certificate messages are always present: depot-go reads them unconditionally, and with an
        // empty certificate the CLI speaks plaintext.
        var endpoint = builders.HandOut(context.HttpContext, build.Id);
        return Task.FromResult(new GetBuildKitConnectionResponse
        {
            Active = new GetBuildKitConnectionResponse.Types.ActiveConnection
            {
                Endpoint = endpoint.Endpoint,
                ServerName = endpoint.ServerName,
                Cert = new Cert { Cert_ = endpoint.Cert, Key = endpoint.Key },
                CaCert = new Cert { Cert_ = endpoint.CaCert },
                Identity = new GetBuildKitConnectionResponse.Types.ActiveConnection.Types.Identity(),
            },
        });
    }

    private Task<ReportBuildHealthResponse> ReportBuildHealth(ReportBuildHealthRequest request, ConnectCallContext context)
    {
        var build = state.ReportHealth(context.Access().RequireBuild(request.BuildId).Id);
        var response = new ReportBuildHealthResponse();
        if (build.CancelsAt is { } cancelsAt)
        {
            response.CancelsAt = Timestamp.FromDateTimeOffset(cancelsAt);
        }

        return Task.FromResult(response);
    }

    /// <summary>Longer steps are recorded as this long: a year, far past any build, and never past the clock's range.</summary>
    private const double MaxStepMilliseconds = 365.0 * 24 * 3600 * 1000;

    private Task<ReportTimingsResponse> ReportTimings(ReportTimingsRequest request, ConnectCallContext context)
    {
        var progress = state.Progress(context.Access().RequireBuild(request.BuildId).Id);
        foreach (var step in request.BuildSteps)
        {
            var started = BuildMapping.Time(step.StartTime);
            var duration = TimeSpan.FromMilliseconds(Math.Min(step.DurationMs, MaxStepMilliseconds));
            progress.RecordTiming(step.HasStableDigest ? step.StableDigest : step.Name, step.Name, step.Cached, started,
                started + duration, step.HasError ? step.Error : null);
        }

        return Task.FromResult(new ReportTimingsResponse());
    }

    private Task<ReportStatusResponse> ReportStatus(ReportStatusRequest request, ConnectCallContext context)
    {
        state.Progress(context.Access().RequireBuild(request.BuildId).Id).Record(request.Statuses);
        return Task.FromResult(new ReportStatusResponse());
    }

    private async Task<ReportStatusStreamResponse> ReportStatusStream(IAsyncEnumerable<ReportStatusStreamRequest> requests, ConnectCallContext context)
    {
        DomainBuild? build = null;
        await foreach (var request in requests.WithCancellation(context.CancellationToken))
        {
            if (build is null || build.Id != request.BuildId)
            {
                build = context.Access().RequireBuild(request.BuildId);
            }

            state.Progress(build.Id).Record(request.Statuses);
        }

        return new ReportStatusStreamResponse();
    }

    private Task<ReportBuildContextResponse> ReportBuildContext(ReportBuildContextRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        state.RecordDockerfiles(build.Id, request.Dockerfiles.Select(d => new BuildDockerfile(d.Target, d.Filename, d.Contents)).ToList());
        return Task.FromResult(new ReportBuildContextResponse());
    }

    private Task<ListBuildsResponse> ListBuilds(ListBuildsRequest request, ConnectCallContext context)
    {
        var access = context.Access();
        var page = Paging.Page(access.VisibleBuilds(access.RequireProject(request.ProjectId)), request.PageSize, request.PageToken);
        var response = new ListBuildsResponse { NextPageToken = page.NextToken ?? "" };
        response.Builds.Add(page.Items.Select(b => b.ToCliProto()));
        return Task.FromResult(response);
    }

    private Task<GetPullInfoResponse> GetPullInfo(GetPullInfoRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        var pull = state.IssueToken(new TokenRequest(TokenType.Pull, ProjectId: build.ProjectId, BuildId: build.Id,
            Description: $"pull token for build {build.Id}"));
        var response = new GetPullInfoResponse
        {
            Reference = $"{urls.Authority(context.HttpContext)}/{build.ProjectId}:{build.Id}",
            Username = "x-token",
            Password = pull.Secret,
            SaveForLoad = build.SavesForLoad,
        };
        response.Options.Add(build.Targets.Select(t => t.ToProto()));
        return Task.FromResult(response);
    }

    private Task<GetPullTokenResponse> GetPullToken(GetPullTokenRequest request, ConnectCallContext context)
    {
        // The CLI always sends both fields, empty when not given.
        var access = context.Access();
        var project = access.RequireProject(request.HasProjectId ? request.ProjectId : null);
        var buildId = request.HasBuildId && request.BuildId.Length > 0 ? request.BuildId : null;
        // A build-scoped pull token is only for a build the caller reaches, of the project it names.
        if (buildId is not null && access.RequireBuild(buildId).ProjectId != project.Id)
        {
            throw DepotErrors.NotFound("build", buildId);
        }

        var issued = state.IssueToken(new TokenRequest(TokenType.Pull, ProjectId: project.Id, BuildId: buildId,
            Description: "pull token"));
        return Task.FromResult(new GetPullTokenResponse { Token = issued.Secret });
    }

    private string BuildUrl(ConnectCallContext context, DomainBuild build) =>
        $"{urls.Base(context.HttpContext)}/_emulator/builds/{build.Id}";

    /// <summary>Where <c>--save</c> puts a build: its id as tag, and every <c>--save-tag</c>.</summary>
    public static IEnumerable<string> SavedTags(string registry, DomainBuild build) =>
        new[] { build.Id }.Concat(build.SaveTags).Select(tag => $"{registry}/{build.ProjectId}:{tag}");
}
