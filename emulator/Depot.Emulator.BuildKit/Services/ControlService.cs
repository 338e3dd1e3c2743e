using Depot.Emulator.BuildKit.Session;
using Depot.Emulator.BuildKit.Solving;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Moby.BuildKit.V1;
using Moby.BuildKit.V1.Types;
using Platform = Moby.BuildKit.Pb.Platform;

namespace Depot.Emulator.BuildKit.Services;

/// <summary>
/// <c>moby.buildkit.v1.Control</c>: workers and version, builds (<c>Solve</c>), their progress (<c>Status</c>)
/// and the client's session.
/// </summary>
internal sealed class ControlService(
    SolveJobs jobs, ClientSessions sessions, DockerfileFrontend frontend, ImageExporter exporter, ConnectionClaims claims,
    BuildKitOptions options, ILogger<ControlService> logger) : Control.ControlBase
{
    public const string WorkerId = "depot-emulator";

    public override Task<ListWorkersResponse> ListWorkers(ListWorkersRequest request, ServerCallContext context)
    {
        // A client's first call on its connection: the moment the host learns which build it serves.
        _ = claims.For(context);
        return Task.FromResult(new ListWorkersResponse { Record = { Worker(options) } });
    }

    public override Task<InfoResponse> Info(InfoRequest request, ServerCallContext context) =>
        Task.FromResult(new InfoResponse { BuildkitVersion = Version(options) });

    public override Task<DiskUsageResponse> DiskUsage(DiskUsageRequest request, ServerCallContext context) =>
        Task.FromResult(new DiskUsageResponse());

    public override Task Prune(PruneRequest request, IServerStreamWriter<UsageRecord> responseStream, ServerCallContext context) =>
        Task.CompletedTask;

    public override async Task<SolveResponse> Solve(SolveRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Ref))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Solve needs a ref"));
        }

        var job = jobs.Get(request.Ref);
        job.Claim = claims.For(context);
        job.Register(request);
        BuildKitLog.Solving(logger, request.Ref, job.Claim?.BuildId ?? "-");
        try
        {
            FrontendResult? result;
            if (request.Frontend.Length == 0 && request.Definition is { Def.Count: > 0 })
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented,
                    "solving LLB definitions is not supported by the emulator's BuildKit: it builds Dockerfiles (dockerfile.v0)"));
            }

            if (request.Frontend.Length > 0)
            {
                if (request.Frontend != DockerfileFrontend.Name)
                {
                    throw new RpcException(new Status(StatusCode.Unimplemented,
                        $"frontend \"{request.Frontend}\" is not supported by the emulator's BuildKit: it builds Dockerfiles ({DockerfileFrontend.Name})"));
                }

                result = await frontend.SolveAsync(job, request.FrontendAttrs, context.CancellationToken);
            }
            else
            {
                // The client drives the build through the gateway and hands its result back with Return.
                var returned = await job.Returned.WaitAsync(context.CancellationToken);
                if (returned.Error is { Code: not 0 } error)
                {
                    throw new RpcException(new Grpc.Core.Status((StatusCode)error.Code, WithoutCode((StatusCode)error.Code, error.Message)));
                }

                result = returned.Result?.Ref?.Id is { Length: > 0 } id ? job.Results.GetValueOrDefault(id) : null;
            }

            return await exporter.ExportAsync(job, request, result, context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "context canceled"));
        }
        finally
        {
            // The client gives up on Status 3 s after Solve returns and fails the build if it has not ended.
            jobs.Finish(job);
        }
    }

    public override async Task Status(StatusRequest request, IServerStreamWriter<StatusResponse> responseStream, ServerCallContext context)
    {
        await foreach (var batch in jobs.Get(request.Ref).Feed.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(batch);
        }
    }

    public override async Task Session(IAsyncStreamReader<BytesMessage> requestStream, IServerStreamWriter<BytesMessage> responseStream,
        ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        var id = headers.GetValue("x-docker-expose-session-uuid")
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "Session needs x-docker-expose-session-uuid"));
        var methods = headers.Where(h => h.Key == "x-docker-expose-session-grpc-method")
            .SelectMany(h => h.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        await using var session = new ClientSession(id, headers.GetValue("x-docker-expose-session-name") ?? "", methods,
            new SessionStream(requestStream, responseStream));
        sessions.Add(session);
        try
        {
            // Open the HTTP/2 connection now: the client drops a session that sends no preface within 10 s.
            if (session.Serves("/grpc.health.v1.Health/Check"))
            {
                await session.CheckHealthAsync(context.CancellationToken);
            }

            await session.Closed.WaitAsync(context.CancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or HttpRequestException)
        {
            BuildKitLog.SessionEnded(logger, id, e.Message);
        }
        finally
        {
            sessions.Remove(session);
        }
    }

    /// <summary>
    /// The client hands back the gateway's error already prefixed with its code name; its code travels beside it,
    /// and the client prefixes it again when it prints it.
    /// </summary>
    private static string WithoutCode(StatusCode code, string message) =>
        message.StartsWith($"{code}: ", StringComparison.Ordinal) ? message[($"{code}: ".Length)..] : message;

    public static WorkerRecord Worker(BuildKitOptions options) => new()
    {
        ID = WorkerId,
        Labels = { ["org.mobyproject.buildkit.worker.executor"] = "none", ["org.mobyproject.buildkit.worker.snapshotter"] = "none" },
        Platforms =
        {
            new Platform { OS = "linux", Architecture = "amd64" },
            new Platform { OS = "linux", Architecture = "arm64" },
        },
        BuildkitVersion = Version(options),
    };

    public static BuildkitVersion Version(BuildKitOptions options) =>
        new() { Package = "github.com/depot/depot-emulator", Version = options.Version, Revision = "emulator" };
}
