using Google.Protobuf.WellKnownTypes;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Core.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Cache;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.State;
using Build = Depot.Emulator.Domain.Builds.Build;
using Project = Depot.Emulator.Domain.State.Project;

namespace Depot.Emulator.Services;

/// <summary>
/// <c>depot.core.v1.UsageService</c>, computed from what the emulator holds for the period asked (default: this month so
/// far): builds started in it and their minutes, and what each organization's cache holds now.
/// </summary>
internal sealed class UsageServiceHandler(DepotState state, CacheStore cache, TimeProvider clock) : IConnectService
{
    private const double BytesPerGb = 1e9;
    private static readonly ServiceDescriptor Service = UsageReflection.Descriptor.FindTypeByName<ServiceDescriptor>("UsageService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ListProjectUsageRequest, ListProjectUsageResponse>(Service.FindMethodByName("ListProjectUsage"), ListProjectUsage)
        .Unary<GetProjectUsageRequest, GetProjectUsageResponse>(Service.FindMethodByName("GetProjectUsage"), GetProjectUsage)
        .Unary<GetUsageRequest, GetUsageResponse>(Service.FindMethodByName("GetUsage"), GetUsage);

    private Task<ListProjectUsageResponse> ListProjectUsage(ListProjectUsageRequest request, ConnectCallContext context)
    {
        var period = Period(request.StartAt, request.EndAt);
        var projects = context.Access().VisibleProjects(context.DepotOrg());
        var (page, next) = Paging.Page(projects, request.HasPageSize ? request.PageSize : 0, request.HasPageToken ? request.PageToken : null);
        var response = new ListProjectUsageResponse { NextPageToken = next ?? "" };
        response.Usage.Add(page.Select(p => Usage(p, period)));
        return Task.FromResult(response);
    }

    private Task<GetProjectUsageResponse> GetProjectUsage(GetProjectUsageRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        return Task.FromResult(new GetProjectUsageResponse { Usage = Usage(project, Period(request.StartAt, request.EndAt)) });
    }

    private Task<GetUsageResponse> GetUsage(GetUsageRequest request, ConnectCallContext context)
    {
        var period = Period(request.StartAt, request.EndAt);
        var organization = context.Access().RequireActingOrganization(context.DepotOrg(), "the x-depot-org header");
        var response = new GetUsageResponse
        {
            PeriodStart = Timestamp.FromDateTimeOffset(period.Start),
            PeriodEnd = Timestamp.FromDateTimeOffset(period.End),
        };
        foreach (var project in state.Projects().Where(p => p.OrganizationId == organization.Id))
        {
            var builds = Builds(project, period);
            response.ContainerBuild.Add(new ContainerBuildUsage
            {
                ProjectName = project.Name,
                BuildCount = builds.Count,
                MinutesBilled = (float)builds.Sum(b => Duration(b).TotalMinutes),
            });
        }

        response.Storage.Add(new StorageUsage { StorageType = "cache", TotalGb = (float)(cache.Usage(organization.Id).Bytes / BytesPerGb) });
        return Task.FromResult(response);
    }

    private ProjectUsage Usage(Project project, (DateTimeOffset Start, DateTimeOffset End) period)
    {
        var builds = Builds(project, period);
        return new ProjectUsage
        {
            ProjectId = project.Id,
            BuildCount = builds.Count,
            BuildDurationSeconds = (int)Math.Min(int.MaxValue, builds.Sum(b => Math.Ceiling(Duration(b).TotalSeconds))),
        };
    }

    private List<Build> Builds(Project project, (DateTimeOffset Start, DateTimeOffset End) period) =>
        state.Builds(project.Id).Where(b => b.CreatedAt >= period.Start && b.CreatedAt < period.End).ToList();

    /// <summary>From start (or creation) to finish, or to now for a running build.</summary>
    private TimeSpan Duration(Build build)
    {
        var span = (build.FinishedAt ?? clock.GetUtcNow()) - (build.StartedAt ?? build.CreatedAt);
        return span < TimeSpan.Zero ? TimeSpan.Zero : span;
    }

    private (DateTimeOffset Start, DateTimeOffset End) Period(Timestamp? start, Timestamp? end)
    {
        var now = clock.GetUtcNow();
        var from = start?.ToDateTimeOffset() ?? new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var to = end?.ToDateTimeOffset() ?? now;
        return to < from ? throw DepotErrors.Invalid("end_at is before start_at") : (from, to);
    }
}
