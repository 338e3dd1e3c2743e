using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Cli.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Services;

/// <summary><c>depot.cli.v1.PushService</c>: <c>depot push</c> records the start and the outcome of a push.</summary>
internal sealed class PushServiceHandler(DepotState state) : IConnectService
{
    private static readonly ServiceDescriptor Service = PushReflection.Descriptor.FindTypeByName<ServiceDescriptor>("PushService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<StartPushRequest, StartPushResponse>(Service.FindMethodByName("StartPush"), StartPush)
        .Unary<FinishPushRequest, FinishPushResponse>(Service.FindMethodByName("FinishPush"), FinishPush);

    private Task<StartPushResponse> StartPush(StartPushRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        var push = state.StartPush(build.Id, request.Tag);
        return Task.FromResult(new StartPushResponse { PushId = push.Id });
    }

    private Task<FinishPushResponse> FinishPush(FinishPushRequest request, ConnectCallContext context)
    {
        var build = context.Access().RequireBuild(request.BuildId);
        state.FinishPush(build.Id, request.PushId, request.HasError ? request.Error : null);
        return Task.FromResult(new FinishPushResponse());
    }
}
