using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Ci.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services.Ci;

/// <summary>
/// <c>depot.ci.v1.MigrationService</c>: migration reads a repository's GitHub Actions settings through Depot's
/// GitHub App. The emulator has no GitHub, so no repository has an installation, and an import says so.
/// </summary>
internal sealed class MigrationServiceHandler : IConnectService
{
    private static readonly ServiceDescriptor Service = CiReflection.Descriptor.FindTypeByName<ServiceDescriptor>("MigrationService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<GetInstallationRequest, GetInstallationResponse>(Service.FindMethodByName("GetInstallation"), GetInstallation)
        .Unary<ImportSecretsAndVarsRequest, ImportSecretsAndVarsResponse>(Service.FindMethodByName("ImportSecretsAndVars"), ImportSecretsAndVars);

    private static Task<GetInstallationResponse> GetInstallation(GetInstallationRequest request, ConnectCallContext context)
    {
        context.Access().ScopedOrganization(context.DepotOrg());
        return Task.FromResult(new GetInstallationResponse());
    }

    private static Task<ImportSecretsAndVarsResponse> ImportSecretsAndVars(ImportSecretsAndVarsRequest request, ConnectCallContext context)
    {
        var org = context.Access().ScopedOrganization(context.DepotOrg());
        throw DepotErrors.Precondition(
            $"no GitHub installation for {(request.Repo.Length > 0 ? request.Repo : "this repository")} in organization {org.Id}: the emulator has no GitHub to import from; add secrets with depot ci secrets and variables with depot ci vars");
    }
}
