using Depot.Emulator.BuildKit.Solving;
using Google.Protobuf;
using Grpc.Core;
using Moby.BuildKit.V1.ApiCaps;
using Moby.BuildKit.V1.Frontend;

namespace Depot.Emulator.BuildKit.Services;

/// <summary>
/// <c>moby.buildkit.v1.frontend.LLBBridge</c>: the gateway a client runs its build function through. Calls carry
/// the build's ref in <c>buildkit-controlapi-buildid</c>.
/// </summary>
internal sealed class GatewayService(SolveJobs jobs, DockerfileFrontend frontend, BuildKitOptions options) : LLBBridge.LLBBridgeBase
{
    public const string BuildIdHeader = "buildkit-controlapi-buildid";

    public override Task<PongResponse> Ping(PingRequest request, ServerCallContext context)
    {
        var pong = new PongResponse { Workers = { ControlService.Worker(options) } };
        pong.FrontendAPICaps.Add(BuildKitCaps.Frontend.Select(Enabled));
        pong.LLBCaps.Add(BuildKitCaps.Llb.Select(Enabled));
        return Task.FromResult(pong);
    }

    public override async Task<SolveResponse> Solve(SolveRequest request, ServerCallContext context)
    {
        var job = Job(context);
        if (request.Frontend != DockerfileFrontend.Name)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, request.Frontend.Length == 0
                ? "solving LLB definitions is not supported by the emulator's BuildKit: it builds Dockerfiles (dockerfile.v0)"
                : $"frontend \"{request.Frontend}\" is not supported by the emulator's BuildKit: it builds Dockerfiles ({DockerfileFrontend.Name})"));
        }

        var result = await frontend.SolveAsync(job, request.FrontendOpt, context.CancellationToken);
        // The image exporter's default media types, so that an export reuses the image written here.
        var config = result.Image(ociMediaTypes: false)?.Config.Data ?? [];
        return new SolveResponse
        {
            Result = new Result
            {
                Ref = new Ref { Id = result.RefId },
                Metadata = { ["containerimage.config"] = ByteString.CopyFrom(config) },
            },
        };
    }

    public override Task<ReturnResponse> Return(ReturnRequest request, ServerCallContext context)
    {
        Job(context).Return(request);
        return Task.FromResult(new ReturnResponse());
    }

    private SolveJob Job(ServerCallContext context) =>
        context.RequestHeaders.GetValue(BuildIdHeader) is { Length: > 0 } reference
            ? jobs.Get(reference)
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"gateway calls need the {BuildIdHeader} header"));

    private static APICap Enabled(string id) => new() { ID = id, Enabled = true };
}
