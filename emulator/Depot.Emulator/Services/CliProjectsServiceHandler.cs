using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Cli.V1Beta1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Cache;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Services;

/// <summary><c>depot.cli.v1beta1.ProjectsService</c>: the CLI's project picker and <c>depot cache reset</c>.</summary>
internal sealed class CliProjectsServiceHandler(DepotState state, CacheStore cache) : IConnectService
{
    private static readonly ServiceDescriptor Service = ProjectsReflection.Descriptor.FindTypeByName<ServiceDescriptor>("ProjectsService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ListProjectsRequest, ListProjectsResponse>(Service.FindMethodByName("ListProjects"), ListProjects)
        .Unary<ResetProjectCacheRequest, ResetProjectCacheResponse>(
            Service.FindMethodByName("ResetProjectCache"), ResetProjectCache);

    private Task<ListProjectsResponse> ListProjects(ListProjectsRequest request, ConnectCallContext context)
    {
        var response = new ListProjectsResponse();
        foreach (var project in context.Access().VisibleProjects(context.DepotOrg()))
        {
            response.Projects.Add(new ListProjectsResponse.Types.Project
            {
                Id = project.Id,
                Name = project.Name,
                OrgId = project.OrganizationId,
                OrgName = state.FindOrganization(project.OrganizationId)?.Name ?? "",
            });
        }

        return Task.FromResult(response);
    }

    private Task<ResetProjectCacheResponse> ResetProjectCache(ResetProjectCacheRequest request, ConnectCallContext context)
    {
        var project = state.ResetProjectCache(context.Access().RequireProject(request.ProjectId).Id);
        // Depot Cache is the organization's; a reset empties it with the project's layer cache.
        cache.ClearOrganization(project.OrganizationId);
        return Task.FromResult(new ResetProjectCacheResponse
        {
            Name = project.Name,
            OrgName = state.FindOrganization(project.OrganizationId)?.Name ?? "",
        });
    }
}
