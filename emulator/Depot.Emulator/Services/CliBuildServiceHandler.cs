using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Cli.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Services;

/// <summary><c>depot.cli.v1.BuildService</c>: so far, minting pull tokens (<c>depot pull-token</c>).</summary>
internal sealed class CliBuildServiceHandler(DepotState state) : IConnectService
{
    private static readonly ServiceDescriptor Service = BuildReflection.Descriptor.FindTypeByName<ServiceDescriptor>("BuildService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<GetPullTokenRequest, GetPullTokenResponse>(Service.FindMethodByName("GetPullToken"), GetPullToken);

    private Task<GetPullTokenResponse> GetPullToken(GetPullTokenRequest request, ConnectCallContext context)
    {
        // The CLI always sends both fields, empty when not given.
        var project = context.Access().RequireProject(request.HasProjectId ? request.ProjectId : null);
        var buildId = request.HasBuildId && request.BuildId.Length > 0 ? request.BuildId : null;
        var issued = state.IssueToken(new TokenRequest(TokenType.Pull, ProjectId: project.Id, BuildId: buildId,
            Description: "pull token"));
        return Task.FromResult(new GetPullTokenResponse { Token = issued.Secret });
    }
}
