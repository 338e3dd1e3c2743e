using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.BuildKit.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Builds;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Services;

/// <summary>
/// <c>depot.buildkit.v1.BuildKitService</c>: hands API users a BuildKit endpoint for their build (pending first,
/// then active), and keeps the build alive while they report health.
/// </summary>
internal sealed class BuildKitServiceHandler(DepotState state, BuilderEndpoints builders, TimeProvider clock) : IConnectService
{
    private static readonly ServiceDescriptor Service = BuildkitReflection.Descriptor.FindTypeByName<ServiceDescriptor>("BuildKitService");

    public void Bind(ConnectServiceBinder binder) => binder
        .ServerStreaming<GetEndpointRequest, GetEndpointResponse>(Service.FindMethodByName("GetEndpoint"), GetEndpoint)
        .ClientStreaming<ReportHealthRequest, ReportHealthResponse>(Service.FindMethodByName("ReportHealth"), ReportHealth)
        .Unary<ReleaseEndpointRequest, ReleaseEndpointResponse>(Service.FindMethodByName("ReleaseEndpoint"), ReleaseEndpoint);

    private async Task GetEndpoint(GetEndpointRequest request, IConnectStreamWriter<GetEndpointResponse> stream, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        var platform = BuildMapping.PlatformName(request.Platform);
        while (!state.AcquireBuilder(build.Id, platform))
        {
            await stream.WriteAsync(new GetEndpointResponse { Pending = new GetEndpointResponse.Types.PendingConnection() });
            await Task.Delay(TimeSpan.FromMilliseconds(CliBuildServiceHandler.PendingWaitMs), clock, context.CancellationToken);
        }

        var endpoint = builders.HandOut(context.HttpContext, build.Id);
        await stream.WriteAsync(new GetEndpointResponse
        {
            Active = new GetEndpointResponse.Types.ActiveConnection
            {
                Endpoint = endpoint.Endpoint,
                ServerName = endpoint.ServerName,
                Cert = new CertificatePair
                {
                    Cert = new PublicCertificate { Cert = endpoint.Cert },
                    Key = new PrivateKey { Key = endpoint.Key },
                },
                CaCert = new PublicCertificate { Cert = endpoint.CaCert },
            },
        });
    }

    private async Task<ReportHealthResponse> ReportHealth(IAsyncEnumerable<ReportHealthRequest> requests, ConnectCallContext context)
    {
        await foreach (var request in requests.WithCancellation(context.CancellationToken))
        {
            state.ReportHealth(context.Access().RequireBuild(request.BuildId).Id);
        }

        return new ReportHealthResponse();
    }

    private Task<ReleaseEndpointResponse> ReleaseEndpoint(ReleaseEndpointRequest request, ConnectCallContext context)
    {
        state.ReleaseBuilder(context.Access().RequireBuild(request.BuildId).Id, BuildMapping.PlatformName(request.Platform));
        return Task.FromResult(new ReleaseEndpointResponse());
    }
}
