using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Builds.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.State;
using DomainBuild = Depot.Emulator.Domain.Builds.Build;

namespace Depot.Emulator.Services;

/// <summary>
/// <c>depot.build.v1.BuildService</c>: builds for API users. A build created here is the same build the CLI
/// continues with <c>DEPOT_BUILD_ID</c> and its build token.
/// </summary>
internal sealed class ApiBuildServiceHandler(DepotState state) : IConnectService
{
    private static readonly ServiceDescriptor Service = BuildReflection.Descriptor.FindTypeByName<ServiceDescriptor>("BuildService");

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<CreateBuildRequest, CreateBuildResponse>(Method("CreateBuild"), CreateBuild)
        .Unary<FinishBuildRequest, FinishBuildResponse>(Method("FinishBuild"), FinishBuild)
        .Unary<GetBuildStepsRequest, GetBuildStepsResponse>(Method("GetBuildSteps"), GetBuildSteps)
        .Unary<GetBuildStepLogsRequest, GetBuildStepLogsResponse>(Method("GetBuildStepLogs"), GetBuildStepLogs);

    private Task<CreateBuildResponse> CreateBuild(CreateBuildRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProjectForNewBuild(request.ProjectId);
        var (build, token) = state.StartBuild(project.Id, BuildOrigin.Api, []);
        return Task.FromResult(new CreateBuildResponse { BuildId = build.Id, BuildToken = token });
    }

    private Task<FinishBuildResponse> FinishBuild(FinishBuildRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        var (result, error) = request.ResultCase switch
        {
            FinishBuildRequest.ResultOneofCase.Success => (BuildState.Succeeded, null),
            FinishBuildRequest.ResultOneofCase.Error => (BuildState.Failed, request.Error.Error),
            _ => throw DepotErrors.Required("result (success or error)"),
        };
        state.FinishBuild(build.Id, result, error);
        return Task.FromResult(new FinishBuildResponse());
    }

    private Task<GetBuildStepsResponse> GetBuildSteps(GetBuildStepsRequest request, ConnectCallContext context)
    {
        var build = RequireBuildOfProject(context, request.ProjectId, request.BuildId);
        var page = Paging.Page(state.Progress(build.Id).Steps(), request.HasPageSize ? request.PageSize : 0,
            request.HasPageToken ? request.PageToken : null);
        var response = new GetBuildStepsResponse();
        foreach (var step in page.Items)
        {
            var proto = new GetBuildStepsResponse.Types.BuildStep
            {
                Name = step.Name,
                Digest = step.Digest,
                StartedAt = Timestamp.FromDateTimeOffset(step.Started ?? build.CreatedAt),
                CacheState = step.Cached
                    ? GetBuildStepsResponse.Types.BuildStep.Types.CacheState.Cached
                    : GetBuildStepsResponse.Types.BuildStep.Types.CacheState.Uncached,
                HasLogs = step.HasLogs,
            };
            if (step.Completed is { } completed)
            {
                proto.CompletedAt = Timestamp.FromDateTimeOffset(completed);
            }

            if (!string.IsNullOrEmpty(step.Error))
            {
                proto.Error = step.Error;
            }

            response.BuildSteps.Add(proto);
        }

        if (page.NextToken is not null)
        {
            response.NextPageToken = page.NextToken;
        }

        return Task.FromResult(response);
    }

    private Task<GetBuildStepLogsResponse> GetBuildStepLogs(GetBuildStepLogsRequest request, ConnectCallContext context)
    {
        var build = RequireBuildOfProject(context, request.ProjectId, request.BuildId);
        if (string.IsNullOrEmpty(request.BuildStepDigest))
        {
            throw DepotErrors.Required("build_step_digest");
        }

        var logs = state.Progress(build.Id).Logs(request.BuildStepDigest)
            ?? throw DepotErrors.NotFound("build step", request.BuildStepDigest);
        var page = Paging.Page(logs, request.HasPageSize ? request.PageSize : 0, request.HasPageToken ? request.PageToken : null);
        var response = new GetBuildStepLogsResponse();
        response.Logs.Add(page.Items.Select(l => new GetBuildStepLogsResponse.Types.Log
        {
            Message = l.Text,
            Timestamp = Timestamp.FromDateTimeOffset(l.At),
        }));
        if (page.NextToken is not null)
        {
            response.NextPageToken = page.NextToken;
        }

        return Task.FromResult(response);
    }

    private static DomainBuild RequireBuildOfProject(ConnectCallContext context, string projectId, string buildId)
    {
        var access = context.Access();
        var project = access.RequireProject(projectId);
        var build = access.RequireBuild(buildId);
        return build.ProjectId == project.Id ? build : throw DepotErrors.NotFound("build", $"{buildId} in project {project.Id}");
    }
}
