using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Core.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Services;

/// <summary><c>depot.core.v1.BuildService</c>: a project's builds for the API, and share links to their summaries.</summary>
internal sealed class CoreBuildServiceHandler(DepotState state, PublicUrls urls) : IConnectService
{
    private static readonly ServiceDescriptor Service = BuildReflection.Descriptor.FindTypeByName<ServiceDescriptor>("BuildService");

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ShareBuildRequest, ShareBuildResponse>(Method("ShareBuild"), ShareBuild)
        .Unary<StopSharingBuildRequest, StopSharingBuildResponse>(Method("StopSharingBuild"), StopSharingBuild)
        .Unary<ListBuildsRequest, ListBuildsResponse>(Method("ListBuilds"), ListBuilds)
        .Unary<GetBuildRequest, GetBuildResponse>(Method("GetBuild"), GetBuild);

    private Task<ShareBuildResponse> ShareBuild(ShareBuildRequest request, ConnectCallContext context)
    {
        var build = state.ShareBuild(context.Access().RequireBuild(request.BuildId).Id);
        return Task.FromResult(new ShareBuildResponse { ShareUrl = $"{urls.Base(context.HttpContext)}/_emulator/shared-builds/{build.ShareId}" });
    }

    private Task<StopSharingBuildResponse> StopSharingBuild(StopSharingBuildRequest request, ConnectCallContext context)
    {
        state.StopSharingBuild(context.Access().RequireBuild(request.BuildId).Id);
        return Task.FromResult(new StopSharingBuildResponse());
    }

    private Task<ListBuildsResponse> ListBuilds(ListBuildsRequest request, ConnectCallContext context)
    {
        var access = context.Access();
        var builds = access.VisibleBuilds(access.RequireProject(request.ProjectId));
        var page = Paging.Page(builds, request.HasPageSize ? request.PageSize : 0, request.HasPageToken ? request.PageToken : null);
        var response = new ListBuildsResponse { NextPageToken = page.NextToken ?? "" };
        response.Builds.Add(page.Items.Select(b => b.ToCoreProto(state.Progress(b.Id).Steps())));
        return Task.FromResult(response);
    }

    private Task<GetBuildResponse> GetBuild(GetBuildRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        return Task.FromResult(new GetBuildResponse { Build = build.ToCoreProto(state.Progress(build.Id).Steps()) });
    }
}
