using Depot.Emulator.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Moby.BuildKit.V1;
using Gateway = Moby.BuildKit.V1.Frontend;

namespace Depot.Emulator.Tests.BuildKit;

/// <summary>The built-in BuildKit's gRPC surface on the emulator's port, through grpc-dotnet's client.</summary>
public class BuildKitApiTests : IAsyncLifetime
{
    private LoopbackEmulator _emulator = null!;
    private GrpcChannel _channel = null!;

    public async ValueTask InitializeAsync()
    {
        _emulator = await LoopbackEmulator.StartAsync();
        _channel = GrpcChannel.ForAddress(_emulator.Url);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _emulator.DisposeAsync();
    }

    private Control.ControlClient Control => new(_channel);

    private Gateway.LLBBridge.LLBBridgeClient Bridge => new(_channel);

    [Fact]
    public async Task Workers_and_version_are_reported_for_both_platforms()
    {
        var workers = await Control.ListWorkersAsync(new ListWorkersRequest());
        var worker = Assert.Single(workers.Record);
        Assert.Equal(["linux/amd64", "linux/arm64"], worker.Platforms.Select(p => $"{p.OS}/{p.Architecture}"));
        var info = await Control.InfoAsync(new InfoRequest());
        Assert.Equal("v0.11.6", info.BuildkitVersion.Version);
    }

    [Fact]
    public async Task Ping_enables_the_return_protocol_and_reference_arrays()
    {
        var pong = await Bridge.PingAsync(new Gateway.PingRequest(), new Metadata { { "buildkit-controlapi-buildid", "ref-1" } });
        var caps = pong.FrontendAPICaps.Where(c => c.Enabled).Select(c => c.ID).ToList();
        Assert.Contains("return", caps);
        Assert.Contains("proto.refarray", caps);
        Assert.Contains(pong.LLBCaps, c => c.ID == "source.local.followpaths" && c.Enabled);
    }

    [Fact]
    public async Task What_the_stand_in_does_not_do_is_refused_with_a_reason()
    {
        var llb = await Assert.ThrowsAsync<RpcException>(async () => await Control.SolveAsync(new SolveRequest
        {
            Ref = "ref-llb",
            Definition = new Moby.BuildKit.Pb.Definition { Def = { ByteString.CopyFromUtf8("op") } },
        }));
        Assert.Equal(StatusCode.Unimplemented, llb.StatusCode);
        Assert.Contains("solving LLB definitions is not supported", llb.Status.Detail);

        var frontend = await Assert.ThrowsAsync<RpcException>(async () => await Control.SolveAsync(new SolveRequest { Ref = "ref-gw", Frontend = "gateway.v0" }));
        Assert.Equal(StatusCode.Unimplemented, frontend.StatusCode);
        Assert.Contains("frontend \"gateway.v0\" is not supported", frontend.Status.Detail);

        var noRef = await Assert.ThrowsAsync<RpcException>(async () => await Control.SolveAsync(new SolveRequest()));
        Assert.Equal(StatusCode.InvalidArgument, noRef.StatusCode);

        var noHeader = await Assert.ThrowsAsync<RpcException>(async () => await Bridge.SolveAsync(new Gateway.SolveRequest { Frontend = "dockerfile.v0" }));
        Assert.Equal(StatusCode.InvalidArgument, noHeader.StatusCode);
        Assert.Contains("buildkit-controlapi-buildid", noHeader.Status.Detail);
    }

    [Fact]
    public async Task A_status_stream_opened_before_its_solve_ends_when_the_solve_does()
    {
        using var status = Control.Status(new StatusRequest { Ref = "ref-early" });
        var reading = Task.Run(async () =>
        {
            var batches = 0;
            while (await status.ResponseStream.MoveNext())
            {
                batches++;
            }

            return batches;
        });

        // A gateway build whose client returns an error at once: Solve fails with it and the status stream ends.
        var solve = Control.SolveAsync(new SolveRequest { Ref = "ref-early", Session = "no-session" });
        await Bridge.ReturnAsync(new Gateway.ReturnRequest { Error = new Google.Rpc.Status { Code = 2, Message = "build function failed" } },
            new Metadata { { "buildkit-controlapi-buildid", "ref-early" } });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await solve);
        Assert.Equal("build function failed", error.Status.Detail);
        Assert.Equal(0, await reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
