using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Core.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;

namespace Depot.Emulator.Services;

/// <summary><c>depot.core.v1.OrganizationService</c>.</summary>
internal sealed class OrganizationServiceHandler : IConnectService
{
    private static readonly ServiceDescriptor Service = OrganizationReflection.Descriptor.FindTypeByName<ServiceDescriptor>("OrganizationService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ListOrganizationsRequest, ListOrganizationsResponse>(
            Service.FindMethodByName("ListOrganizations"), ListOrganizations);

    private static Task<ListOrganizationsResponse> ListOrganizations(ListOrganizationsRequest request, ConnectCallContext context)
    {
        var response = new ListOrganizationsResponse();
        response.Organizations.Add(context.Access().VisibleOrganizations(context.DepotOrg()).Select(o =>
            new ListOrganizationsResponse.Types.Organization { OrgId = o.Id, Name = o.Name, CreatedAt = o.CreatedAt.ToTimestamp() }));
        return Task.FromResult(response);
    }
}
